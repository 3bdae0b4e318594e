//! One line per measured run, the same in the demo and the bench.

use crate::run::Outcome;

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
