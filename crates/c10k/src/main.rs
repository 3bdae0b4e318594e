//! `cargo run -p c10k`: the same framed echo service as a thread per
//! client, a pool, one epoll loop and a loop per core, next to Python's
//! socketserver and asyncio, each driven by one load generator in its own
//! process; the table shows what each costs. `serve` runs one server alone.

use c10k::run::{run_one, Outcome};
use c10k::{entry, table, MODELS};
use demo_kit::cli::Args;
use demo_kit::say::{heading, say};
use demo_kit::{tr, Context, Result, Side};
use std::process::ExitCode;
use std::time::Duration;

mod help;

fn main() -> ExitCode {
    if let Some(code) = entry::child_role() {
        return code;
    }
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse((help::HELP, help::HELP_ZH));
    let model = args
        .value::<String>("--model")?
        .unwrap_or_else(|| "all".into());
    let conns = args.value::<usize>("--conns")?.unwrap_or(1000);
    let rounds = args.value::<usize>("--rounds")?.unwrap_or(10);
    let limit = Duration::from_secs(
        args.value::<u64>("--time-limit")?
            .unwrap_or(60)
            .clamp(1, 3600),
    );
    let svg = args.value::<std::path::PathBuf>("--svg")?;
    args.finish()?;
    let models: Vec<&str> = if model == "all" {
        MODELS.to_vec()
    } else {
        vec![c10k::check_model(&model)?]
    };
    entry::check_counts(conns, rounds)?;
    let exe = std::env::current_exe().context(tr!("finding this program", "查找这个程序自己"))?;
    let mut comments = demo_kit::plot::provenance("c10k");

    heading(tr!(
        "{conns} connections x {rounds} round trips of a 64-byte frame, each model",
        "{conns} 个连接 x 每个连接 {rounds} 次 64 字节帧的往返，每种模型各跑一遍"
    ));
    say(
        Side::Note,
        tr!(
            "open-files hard limit {}: server and load generator are separate processes",
            "打开文件数硬上限 {}：服务端和负载生成器是两个独立的进程",
            c10k::limits::hard_nofile()?
        ),
    );
    let mut rows: Vec<Outcome> = Vec::new();
    for m in models {
        if m.starts_with("py-") {
            if let Some(why) = c10k::python::missing() {
                say(Side::Note, tr!("{m}: skipped: {why}", "{m}：跳过：{why}"));
                continue;
            }
        }
        let o = run_one(&exe, m, conns, rounds, limit)?;
        table::narrate(&o);
        rows.push(o);
    }
    println!("\n{}", table::header());
    for o in &rows {
        println!("{}", table::row(o));
    }
    if let Some(dir) = svg {
        let (chart, notes) = c10k::plot::chart(&rows, conns, rounds);
        comments.extend(notes);
        for path in demo_kit::plot::write(&dir, "20-c10k", &comments, &chart)? {
            say(Side::Note, tr!("wrote {}", "已写入 {}", path.display()));
        }
    }
    say(
        Side::Note,
        tr!(
            "every server and load process was stopped and reaped",
            "每个服务端进程和负载进程都已停止并回收"
        ),
    );
    Ok(())
}
