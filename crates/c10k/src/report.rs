//! What one load run measured, and its one-line JSON form (the load
//! generator is a separate process: it prints `result {...}` and the parent
//! parses it back).

use crate::procstat::Snapshot;
use serde_json::{json, Value};
use std::time::Duration;

/// The server's side, read from its `/proc` entry by the load generator.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServerFigures {
    pub rss_before_kib: u64,
    pub rss_after_kib: u64,
    pub hwm_kib: u64,
    pub fds_before: u64,
    pub fds_after: u64,
    pub threads_after: u64,
    /// System-wide `KernelStack` before and after connecting, KiB.
    pub kstack_before_kib: u64,
    pub kstack_after_kib: u64,
    /// utime + stime during the round trips, seconds.
    pub cpu_s: f64,
    /// That, per round trip, microseconds.
    pub cpu_per_rt_us: f64,
}

impl ServerFigures {
    pub fn new(
        before: Snapshot,
        after: Snapshot,
        end: Snapshot,
        cpu: Duration,
        round_trips: u64,
        kstack: (u64, u64),
    ) -> ServerFigures {
        ServerFigures {
            rss_before_kib: before.rss_kib,
            rss_after_kib: after.rss_kib,
            hwm_kib: end.hwm_kib,
            fds_before: before.fds,
            fds_after: after.fds,
            threads_after: after.threads,
            kstack_before_kib: kstack.0,
            kstack_after_kib: kstack.1,
            cpu_s: cpu.as_secs_f64(),
            cpu_per_rt_us: cpu.as_secs_f64() * 1e6 / round_trips.max(1) as f64,
        }
    }

    /// Kernel stacks per connection (system-wide difference), bytes.
    pub fn kstack_per_conn(&self, conns: usize) -> f64 {
        (self.kstack_after_kib as f64 - self.kstack_before_kib as f64) * 1024.0
            / conns.max(1) as f64
    }

    /// User-space memory per connection: (VmRSS after - before) / conns, bytes.
    pub fn rss_per_conn(&self, conns: usize) -> f64 {
        (self.rss_after_kib as f64 - self.rss_before_kib as f64) * 1024.0 / conns.max(1) as f64
    }
}

/// One load run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadReport {
    pub conns: usize,
    pub rounds: usize,
    pub connected: usize,
    /// Round trips completed, every byte checked.
    pub round_trips: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub timed_out: bool,
    pub elapsed_s: f64,
    pub req_per_s: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    /// The load generator's own CPU during the round trips, seconds.
    pub load_cpu_s: f64,
    pub server: Option<ServerFigures>,
}

impl LoadReport {
    pub fn note_error(&mut self, e: String) {
        self.errors += 1;
        self.first_error.get_or_insert(e);
    }

    /// Fills in the rates and percentiles at the end of the run.
    pub fn finish(&mut self, elapsed: Duration, cpu: Duration, latencies: &mut [u32]) {
        latencies.sort_unstable();
        let pct = |p: f64| {
            latencies
                .get(((latencies.len() as f64 - 1.0) * p) as usize)
                .map_or(0.0, |&v| v as f64)
        };
        self.round_trips = latencies.len() as u64;
        self.elapsed_s = elapsed.as_secs_f64();
        self.req_per_s = self.round_trips as f64 / self.elapsed_s.max(1e-9);
        (self.p50_us, self.p99_us) = (pct(0.50), pct(0.99));
        self.load_cpu_s = cpu.as_secs_f64();
    }

    /// Complete: everyone connected, every round trip done, no error.
    pub fn clean(&self) -> bool {
        self.connected == self.conns
            && self.round_trips == (self.conns * self.rounds) as u64
            && self.errors == 0
    }

    pub fn to_json(&self) -> Value {
        let s = self.server.clone().map(|s| {
            json!({"rss_before_kib": s.rss_before_kib, "rss_after_kib": s.rss_after_kib, "hwm_kib": s.hwm_kib,
                   "fds_before": s.fds_before, "fds_after": s.fds_after, "threads_after": s.threads_after,
                   "kstack_before_kib": s.kstack_before_kib, "kstack_after_kib": s.kstack_after_kib,
                   "cpu_s": s.cpu_s, "cpu_per_rt_us": s.cpu_per_rt_us})
        });
        json!({"conns": self.conns, "rounds": self.rounds, "connected": self.connected,
               "round_trips": self.round_trips, "errors": self.errors, "first_error": self.first_error,
               "timed_out": self.timed_out, "elapsed_s": self.elapsed_s, "req_per_s": self.req_per_s,
               "p50_us": self.p50_us, "p99_us": self.p99_us, "load_cpu_s": self.load_cpu_s, "server": s})
    }

    pub fn from_json(v: &Value) -> Option<LoadReport> {
        let u = |v: &Value, k: &str| v.get(k)?.as_u64();
        let f = |v: &Value, k: &str| v.get(k)?.as_f64();
        let server = match v.get("server") {
            Some(s) if !s.is_null() => Some(ServerFigures {
                rss_before_kib: u(s, "rss_before_kib")?,
                rss_after_kib: u(s, "rss_after_kib")?,
                hwm_kib: u(s, "hwm_kib")?,
                fds_before: u(s, "fds_before")?,
                fds_after: u(s, "fds_after")?,
                threads_after: u(s, "threads_after")?,
                kstack_before_kib: u(s, "kstack_before_kib")?,
                kstack_after_kib: u(s, "kstack_after_kib")?,
                cpu_s: f(s, "cpu_s")?,
                cpu_per_rt_us: f(s, "cpu_per_rt_us")?,
            }),
            _ => None,
        };
        Some(LoadReport {
            conns: u(v, "conns")? as usize,
            rounds: u(v, "rounds")? as usize,
            connected: u(v, "connected")? as usize,
            round_trips: u(v, "round_trips")?,
            errors: u(v, "errors")?,
            first_error: v
                .get("first_error")
                .and_then(Value::as_str)
                .map(str::to_string),
            timed_out: v.get("timed_out")?.as_bool()?,
            elapsed_s: f(v, "elapsed_s")?,
            req_per_s: f(v, "req_per_s")?,
            p50_us: f(v, "p50_us")?,
            p99_us: f(v, "p99_us")?,
            load_cpu_s: f(v, "load_cpu_s")?,
            server,
        })
    }
}
