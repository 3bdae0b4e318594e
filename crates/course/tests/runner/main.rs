//! The runner's tests, in one test binary so that they run at the same
//! time: `cli` drives the `course` command on a small fixture workspace,
//! `verify` proves every real exercise both ways. Each builds in its own
//! target directory, so neither waits for the other's cargo.
//! `cargo test -p course --test runner verify::` runs one of them.

mod cli;
mod verify;

use nix::fcntl::{Flock, FlockArg};
use std::fs::File;
use std::path::Path;

/// Holds `<target>/tmp/<name>.lock` exclusively until dropped. The scratch
/// copies live at fixed paths under the target directory, so that a second
/// run reuses their builds; a second `cargo test` started in the same
/// checkout while the first runs (two terminals) would otherwise delete
/// and rewrite a copy under the other's feet. Tests of one run take
/// different names, so they never wait for each other.
pub fn one_run_at_a_time(name: &str) -> Flock<File> {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.lock"));
    let file = File::create(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Flock::lock(file, FlockArg::LockExclusive)
        .unwrap_or_else(|(_, e)| panic!("flock({}): {e}", path.display()))
}
