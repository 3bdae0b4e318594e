//! The `--help` text (kept out of `main.rs`, which holds the story).

pub const HELP: &str = "\
thread-demo — 线程: threads, the GIL, deadlock, semaphore/event/timer, queues

USAGE:
    cargo run -p thread-demo [-- OPTIONS]

OPTIONS:
    --work-ms N   length of one CPU-bound task in the GIL step, in ms
                  (default 100 for the tour, 400 for --bench; 10..=5000)
    --bench       instead of the tour: the cost of a thread against a process
                  (and Python's Thread and Process), and the GIL speed-up
                  table, each the median of several runs
    --runs N      samples per cost figure for --bench (default 200, 10..=5000)
    --svg DIR     with --bench: also write the GIL table as DIR/15-gil.csv (the
                  figures) and .svg, .zh-CN.svg (drawn from them)
    --lang L      the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
    -h, --help    this text

Python figures appear only when python3 is installed.
";

pub const HELP_ZH: &str = "\
thread-demo：线程、GIL、死锁、信号量/Event/定时器、队列

用法：
    cargo run -p thread-demo [-- 选项]

选项：
    --work-ms N   GIL 那一步里一个 CPU 密集型任务的时长，单位 ms
                  （完整流程默认 100，--bench 默认 400；10..=5000）
    --bench       不走完整流程，改为测量：线程与进程的开销对比
                  （以及 Python 的 Thread 和 Process），和 GIL 加速比表，
                  每项都取多次运行的中位数
    --runs N      --bench 里每个开销数字的样本数（默认 200，10..=5000）
    --svg DIR     和 --bench 一起用：同时把 GIL 表写成 DIR/15-gil.csv（数据），
                  以及据此画出的 .svg、.zh-CN.svg
    --lang L      输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
    -h, --help    显示本帮助

只有装了 python3 才会有 Python 的数字。
";
