//! `cargo run -p c10k`: the same framed echo service as a thread per
//! client, a pool, one epoll loop and a loop per core, next to Python's
//! socketserver and asyncio, each driven by one load generator in its own
//! process; the table shows what each costs. `serve` runs one server alone.

use c10k::run::{run_one, Outcome};
use c10k::{entry, table, MODELS};
use demo_kit::cli::Args;
use demo_kit::say::{heading, say};
use demo_kit::{Context, Result, Side};
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
    let mut args = Args::parse(help::HELP);
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
    let exe = std::env::current_exe().context("finding this program")?;
    let mut comments = demo_kit::plot::provenance("c10k");

    heading(format!(
        "{conns} connections x {rounds} round trips of a 64-byte frame, each model"
    ));
    say(
        Side::Note,
        format!(
            "open-files hard limit {}: server and load generator are separate processes",
            c10k::limits::hard_nofile()?
        ),
    );
    let mut rows: Vec<Outcome> = Vec::new();
    for m in models {
        if m.starts_with("py-") {
            if let Some(why) = c10k::python::missing() {
                say(Side::Note, format!("{m}: skipped: {why}"));
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
            say(Side::Note, format!("wrote {}", path.display()));
        }
    }
    say(
        Side::Note,
        "every server and load process was stopped and reaped",
    );
    Ok(())
}
