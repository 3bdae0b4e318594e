//! The worker process of the [`crate::process_pool`]: this program run
//! again with [`crate::HELPER_WORKER`].
//!
//! It reads one job at a time from stdin — a `framing` message whose JSON
//! header says what to do, e.g. `{"op":"square","n":7}` — runs it, and
//! writes the answer to stdout the same way: `{"ok":49}` or
//! `{"error":"..."}`. End of file on stdin means the pool shut down: the
//! worker exits 0. (Python's `multiprocessing.Pool` does the same with
//! pickled tuples over pipes.)

use demo_kit::tr;
use framing::Codec;
use serde_json::{json, Value};
use std::io::Write;
use std::time::Duration;

/// Runs one job described by `header`; the answer's header.
pub fn run_job(header: &serde_json::Map<String, Value>) -> Value {
    let n = header.get("n").and_then(Value::as_u64).unwrap_or(0);
    match header.get("op").and_then(Value::as_str) {
        Some("square") => json!({ "ok": n * n }),
        Some("primes") => json!({ "ok": crate::count_primes(n) }),
        Some("sleep") => {
            std::thread::sleep(Duration::from_millis(n));
            json!({ "ok": n })
        }
        Some("pid") => json!({ "ok": std::process::id() }),
        Some(other) => json!({ "error": format!("unknown op {other:?}") }),
        None => json!({ "error": "the job has no \"op\"" }),
    }
}

/// The worker's whole life; returns its exit code.
pub fn helper_main() -> i32 {
    let codec = Codec::course();
    let mut input = std::io::stdin().lock();
    let mut output = std::io::stdout().lock();
    loop {
        let job = match codec.read_message(&mut input) {
            Ok(Some(job)) => job,
            Ok(None) => return 0, // the pool closed our stdin: shut down
            Err(e) => {
                eprintln!(
                    "{}",
                    tr!(
                        "pool worker {}: bad job: {e}",
                        "池中的工作进程 {}：任务有问题：{e}",
                        std::process::id()
                    )
                );
                return 2;
            }
        };
        let answer = run_job(&job.header);
        if codec.write_message(&mut output, answer, b"").is_err() || output.flush().is_err() {
            return 3; // the pool is gone
        }
    }
}
