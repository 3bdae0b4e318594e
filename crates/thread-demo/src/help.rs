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
    -h, --help    this text

Python figures appear only when python3 is installed.
";
