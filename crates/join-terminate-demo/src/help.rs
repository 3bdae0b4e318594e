//! The `--help` text, in English and in Chinese (kept out of `main.rs`,
//! which holds the story).

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
  --lang L         the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
  -h, --help       this text

Linux only: it reads /proc and calls waitid(WNOWAIT) and prctl.";

pub const HELP_ZH: &str = "\
join-terminate-demo：Python 的 Process 各个方法在内核里做了什么

用法：cargo run -p join-terminate-demo [-- 选项]

步骤：1 join = waitpid（先是僵尸进程，然后被回收）· 2 terminate = kill(SIGTERM)
（照办、先清理、拒绝、忽略；以及 SIGKILL）· 3 is_alive = waitpid(WNOHANG)
与 kill(pid, 0) 对比 · 4 getpid/getppid 和进程名（prctl）· 5 孤儿进程被收养
· 6 检查没有落下任何子进程。

选项：
  --exit-code N    变成僵尸进程的那个子进程的退出码（0-255，默认 7）
  --name NAME      子进程的名字（默认 子进程1；内核只保留 15 个字节）
  --no-subreaper   第 5 步不调用 PR_SET_CHILD_SUBREAPER：由内核为孤儿进程
                   挑选新的父进程（init，或者更上层的子进程收割者）
  --lang L         输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
  -h, --help       显示本帮助

只支持 Linux：要读 /proc，还要调用 waitid(WNOWAIT) 和 prctl。";
