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
    --lang L       the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
    -h, --help     this text";

pub const HELP_ZH: &str = "\
reliability-demo：UDP 丢了数据也没人知道；TCP 会阻塞，但一个字节也不丢

用法：cargo run -p reliability-demo -- [udp|tcp] [选项]
      （不指定场景：两个都跑，先跑 UDP）

选项：
    --count N      发送的消息条数（默认 20000，1..=1000000）
    --size N       每条消息的字节数（默认 1024，4..=65000）
    --rcvbuf N     用 SO_RCVBUF 请求的接收缓冲区大小（默认 4096；内核会把它
                   翻倍，并且有一个下限）
    --pause-us N   读的一方每读一次后停多少微秒（默认 50，0..=100000）
    --plot DIR     分别在读方停 0、50 和 200 µs 时把两个场景都跑一遍，并画出课里的图：
                   DIR/04-reliability.csv（数据），以及据此画出的 .svg 和 .zh-CN.svg
    --lang L       输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
    -h, --help     显示本帮助";
