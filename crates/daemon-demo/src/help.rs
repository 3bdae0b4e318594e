//! The `--help` text (kept out of `main.rs`, which holds the story).

pub const HELP: &str = "\
daemon-demo: Python's daemon=True (prctl PR_SET_PDEATHSIG) and the classic Unix daemon

USAGE: cargo run -p daemon-demo [-- OPTIONS]

OPTIONS:
  --only pdeathsig|daemon   run one part only (default: both)
  --lang L                  the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
  -h, --help                show this help

Linux only (prctl, /proc). Needs no privileges. Every process it starts is
stopped and reaped before it exits.";

pub const HELP_ZH: &str = "\
daemon-demo：Python 的 daemon=True（prctl PR_SET_PDEATHSIG）与经典的 Unix 守护进程

用法：cargo run -p daemon-demo [-- 选项]

选项：
  --only pdeathsig|daemon   只运行其中一部分（默认两部分都运行）
  --lang L                  输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
  -h, --help                显示本帮助

只能在 Linux 上运行（prctl、/proc）。不需要特权。它启动的每个进程，
都会在它退出之前被停止并回收。";
