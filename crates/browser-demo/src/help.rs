//! The `--help` text (kept out of `main.rs`, which holds the story).

pub const HELP: &str = "\
browser-demo: a browser is just another TCP client (B/S vs C/S)

USAGE:
    cargo run -p browser-demo                  the default run: about a second, no browser needed
    cargo run -p browser-demo -- serve [OPTIONS]   serve a real browser until Ctrl-C

The default run starts an HTTP/1.1 server written by hand on 127.0.0.1 (a
port the kernel picks), sends it two requests on one connection, shows the
bytes, and splits the two replies by Content-Length; then sends bad requests.

SERVE OPTIONS:
    --addr IP:PORT        default 127.0.0.1:8080 (port 0: the kernel picks one)
    --allow-remote        allow a non-loopback address (the page shows each visitor its request)
    --head-timeout SECS   a request head must be complete this long after its first byte (default 5)
    --idle-timeout SECS   an idle keep-alive connection is closed after this (default 15)
    --lang L              the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
    -h, --help            this text";

pub const HELP_ZH: &str = "\
browser-demo：浏览器不过是又一个 TCP 客户端（B/S 与 C/S）

用法：
    cargo run -p browser-demo                  默认运行：大约一秒，不需要浏览器
    cargo run -p browser-demo -- serve [选项]   给真正的浏览器提供服务，直到按 Ctrl-C

默认运行会在 127.0.0.1 上（端口由内核挑选）启动一个手写的 HTTP/1.1 服务端，
在同一个连接上给它发两个请求，显示收发的字节，再按 Content-Length 把两个回复
分开；然后发几个有问题的请求。

serve 的选项：
    --addr IP:PORT        默认 127.0.0.1:8080（端口写 0 则由内核挑选）
    --allow-remote        允许非回环地址（页面会把每个访问者的请求展示给他看）
    --head-timeout SECS   请求头从收到第一个字节起，必须在这么多秒内收完（默认 5）
    --idle-timeout SECS   空闲的长连接过了这么久就关闭（默认 15）
    --lang L              输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
    -h, --help            显示本帮助";
