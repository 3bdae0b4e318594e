//! One line per measured run, the same in the demo and the bench.

use crate::run::Outcome;
use demo_kit::say::say;
use demo_kit::tr;
use demo_kit::Side;

pub fn header() -> String {
    format!(
        "{:<13} {:>6} {:>8} {:>9} {:>9} {:>9} {:>8} {:>10} {:>9} {:>11} {:>8}",
        "model",
        "conns",
        "done",
        "req/s",
        "p50",
        "p99",
        "load-cpu",
        "srv-cpu/rt",
        "rss/conn",
        "fds bef/aft",
        "hwm"
    )
}

pub fn row(o: &Outcome) -> String {
    let r = &o.report;
    let (cpu_rt, per_conn, fds, hwm) = match &r.server {
        Some(s) => (
            format!("{:.1}µs", s.cpu_per_rt_us),
            format!("{:.0}B", s.rss_per_conn(r.connected)),
            format!("{}/{}", s.fds_before, s.fds_after),
            format!("{}MiB", s.hwm_kib / 1024),
        ),
        None => ("-".into(), "-".into(), "-".into(), "-".into()),
    };
    let done = if r.clean() {
        "all".to_string()
    } else {
        format!(
            "{}%",
            r.round_trips * 100 / (r.conns * r.rounds).max(1) as u64
        )
    };
    format!(
        "{:<13} {:>6} {:>8} {:>9.0} {:>9} {:>9} {:>8} {:>10} {:>9} {:>11} {:>8}",
        o.model,
        r.connected,
        done,
        r.req_per_s,
        format!("{:.0}µs", r.p50_us),
        format!("{:.0}µs", r.p99_us),
        format!("{:.0}%", r.load_cpu_s * 100.0 / r.elapsed_s.max(1e-9)),
        cpu_rt,
        per_conn,
        fds,
        hwm
    )
}

/// Two narrated lines about one run: the client's side, then the kernel's figures.
pub fn narrate(o: &Outcome) {
    let r = &o.report;
    let side = if r.clean() { Side::Client } else { Side::Note };
    say(side, tr!("{}: server pid {}, load pid {}: {} of {} connected, {} round trips in {:.2}s, {} errors{}", "{0}：服务端 pid {1}，负载 pid {2}：{4} 个连接里连上了 {3} 个，{6:.2}s 内完成 {5} 次往返，{7} 个错误{8}",
        o.model, o.server_pid, o.load_pid, r.connected, r.conns, r.round_trips, r.elapsed_s, r.errors,
        r.first_error.as_deref().map(|e| tr!(" (first: {e})", "（第一个：{e}）")).unwrap_or_default()));
    if let Some(s) = &r.server {
        say(
            Side::Kernel,
            tr!(
                "{}: VmRSS {} -> {} KiB, VmHWM {} KiB, fds {} -> {}, threads {}",
                "{}：VmRSS {} -> {} KiB，VmHWM {} KiB，fds {} -> {}，线程 {}",
                o.model,
                s.rss_before_kib,
                s.rss_after_kib,
                s.hwm_kib,
                s.fds_before,
                s.fds_after,
                s.threads_after
            ),
        );
    }
}
