//! The `--help` text (kept out of `main.rs`, which holds the story).

pub const HELP: &str = "\
reliability-demo: UDP loses and nobody is told; TCP blocks and loses nothing

USAGE: cargo run -p reliability-demo -- [udp|tcp] [OPTIONS]
       (no scenario: both, UDP first)

OPTIONS:
    --count N      messages sent (default 20000, 1..=1000000)
    --size N       bytes per message (default 1024, 4..=65000)
    --rcvbuf N     receive buffer asked for with SO_RCVBUF (default 4096; the kernel
                   doubles it and enforces a minimum)
    --pause-us N   the reader's pause after each read, in microseconds (default 50, 0..=100000)
    --plot DIR     run both at reader pauses of 0, 50 and 200 µs, and write the lesson's plot:
                   DIR/04-reliability.csv (the figures), .svg and .zh-CN.svg (drawn from them)
    -h, --help     this text";
