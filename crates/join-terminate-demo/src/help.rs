//! The `--help` text (kept out of `main.rs`, which holds the story).

pub const HELP: &str = "\
join-terminate-demo — what Python's Process methods do in the kernel

USAGE: cargo run -p join-terminate-demo [-- OPTIONS]

Steps: 1 join = waitpid (a zombie, then reaped) · 2 terminate = kill(SIGTERM)
(obeyed, handled, refused, ignored; SIGKILL) · 3 is_alive = waitpid(WNOHANG)
vs kill(pid, 0) · 4 getpid/getppid and the process name (prctl) · 5 an orphan
re-parented · 6 check that no child is left.

OPTIONS:
  --exit-code N    exit code of the child that becomes a zombie (0-255, default 7)
  --name NAME      name for the child (default 子进程1; the kernel keeps 15 bytes)
  --no-subreaper   step 5 without PR_SET_CHILD_SUBREAPER: let the kernel pick
                   the orphan's new parent (init or a subreaper above us)
  -h, --help       this text

Linux only: it reads /proc and calls waitid(WNOWAIT) and prctl.";
