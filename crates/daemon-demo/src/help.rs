//! The `--help` text (kept out of `main.rs`, which holds the story).

pub const HELP: &str = "\
daemon-demo: Python's daemon=True (prctl PR_SET_PDEATHSIG) and the classic Unix daemon

USAGE: cargo run -p daemon-demo [-- OPTIONS]

OPTIONS:
  --only pdeathsig|daemon   run one part only (default: both)
  -h, --help                show this help

Linux only (prctl, /proc). Needs no privileges. Every process it starts is
stopped and reaped before it exits.";
