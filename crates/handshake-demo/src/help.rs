//! The `--help` text of each mode, in English and in Chinese (kept out of
//! `main.rs`, which holds the list of steps).

use demo_kit::lang;

/// The help for `mode`, in the language in use; the general help for `states`.
pub fn text(mode: &str) -> &'static str {
    match mode {
        "backlog" => lang::pick(BACKLOG, BACKLOG_ZH),
        "retries" => lang::pick(RETRIES, RETRIES_ZH),
        "sniff" => lang::pick(SNIFF, SNIFF_ZH),
        "reuse" => lang::pick(REUSE, REUSE_ZH),
        _ => lang::pick(GENERAL, GENERAL_ZH),
    }
}

const GENERAL: &str = "\
handshake-demo: the TCP handshake (三次握手), teardown (四次挥手) and backlog (半连接池)
on your own kernel.

usage: handshake-demo [MODE] [--ipv6]

modes:
  states   (default) one connection from listen() to TIME_WAIT; both ends'
           states read from TCP_INFO and /proc/net/tcp after each step,
           then FIN_WAIT1 and LAST_ACK made visible
  backlog  a listener that never accepts: what listen(N) really limits
           (see: handshake-demo backlog --help)
  retries  a client whose SYN is dropped: when its kernel retries (about 7 s)
  sniff    the real packets with their seq/ack numbers (needs root or
           CAP_NET_RAW; see: handshake-demo sniff --help)
  reuse    restart a server on the same port, with and without SO_REUSEADDR

options:
  --ipv6   use [::1] instead of 127.0.0.1
  --lang L the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
  -h, --help  this text (also after a mode, for that mode's options)
";

const GENERAL_ZH: &str = "\
handshake-demo：TCP 的三次握手、四次挥手和半连接池（listen 的 backlog），
在你自己机器的内核上实时演示。

用法：handshake-demo [模式] [--ipv6]

模式：
  states   （默认）一个连接从 listen() 到 TIME_WAIT 的全过程；每一步之后
           都从 TCP_INFO 和 /proc/net/tcp 读出两端的状态，
           最后让 FIN_WAIT1 和 LAST_ACK 停留得足够久，能被看到
  backlog  一个从不 accept 的监听套接字：listen(N) 限制的到底是什么
           （见 handshake-demo backlog --help）
  retries  一个 SYN 被丢弃的客户端：它的内核什么时候重发（约 7 秒）
  sniff    真实的数据包，带 seq/ack 序号（需要 root 或 CAP_NET_RAW；
           见 handshake-demo sniff --help）
  reuse    在同一个端口上重启服务端，分别在有、无 SO_REUSEADDR 时

选项：
  --ipv6   用 [::1] 代替 127.0.0.1
  --lang L 输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
  -h, --help  显示本帮助（放在模式后面，显示该模式的选项）
";

const BACKLOG: &str = "\
handshake-demo backlog: what listen(N) really limits (半连接池 / accept queue).

usage: handshake-demo backlog [--backlog N] [--clients K] [--ipv6]

A listener made with listen(N) never calls accept(); K clients connect
without blocking. Watch N+1 of them finish the handshake and the rest wait in
SYN_SENT, then watch waiting clients get in once the server accepts.

options:
  --backlog N   the listen() backlog, 0..=1000 (default 2)
  --clients K   how many clients connect, 1..=20 (default N+3; each dropped
                client costs 0.5 s)
  --ipv6        use [::1] instead of 127.0.0.1
";

const BACKLOG_ZH: &str = "\
handshake-demo backlog：listen(N) 限制的到底是什么（半连接池 / accept 队列）。

用法：handshake-demo backlog [--backlog N] [--clients K] [--ipv6]

用 listen(N) 建一个监听套接字，但从不调用 accept()；K 个客户端以非阻塞
方式依次连接。可以看到其中 N+1 个完成握手，其余的停在 SYN_SENT 等待；
服务端 accept 之后，等待中的客户端又能连进来。

选项：
  --backlog N   listen() 的 backlog，0..=1000（默认 2）
  --clients K   连接的客户端个数，1..=20（默认 N+3；每个被丢弃的
                客户端要多花 0.5 秒）
  --ipv6        用 [::1] 代替 127.0.0.1
";

const RETRIES: &str = "\
handshake-demo retries: a client whose SYN is dropped (the listen(0) queue is
full), and the moments its kernel sends the SYN again, read from TCP_INFO.

usage: handshake-demo retries [--count N] [--ipv6]

options:
  --count N   how many retries to time, 1..=6 (default 6: about 7 s with
              Linux's defaults, whose waits are 1, 1, 1, 1, 1, 2, 4 s)
  --ipv6      use [::1] instead of 127.0.0.1
";

const RETRIES_ZH: &str = "\
handshake-demo retries：一个 SYN 被丢弃的客户端（listen(0) 的队列已满），
以及它的内核每次重发 SYN 的时刻，从 TCP_INFO 读出。

用法：handshake-demo retries [--count N] [--ipv6]

选项：
  --count N   计时多少次重传，1..=6（默认 6：按 Linux 的默认设置约 7 秒，
              各次等待为 1, 1, 1, 1, 1, 2, 4 s）
  --ipv6      用 [::1] 代替 127.0.0.1
";

const REUSE: &str = "\
handshake-demo reuse: restart a server on the same port after it was stopped
with a client still connected, with and without SO_REUSEADDR (and see why the
course needs it); and the course's normal case, where the client closed first.

usage: handshake-demo reuse [--ipv6]

options:
  --ipv6   use [::1] instead of 127.0.0.1
";

const REUSE_ZH: &str = "\
handshake-demo reuse：服务端在还有客户端连着时被停掉，马上在同一个端口上
重启，分别在有、无 SO_REUSEADDR 时（以及课程为什么需要它）；再看课程的
正常情况：客户端先关闭。

用法：handshake-demo reuse [--ipv6]

选项：
  --ipv6   用 [::1] 代替 127.0.0.1
";

const SNIFF: &str = "\
handshake-demo sniff: the real packets of one connection (SYN, SYN|ACK, ACK,
data, FIN...) with absolute and relative seq/ack numbers, read from a raw
socket and parsed by hand. Shows a four-way teardown and the three-packet one.

usage: handshake-demo sniff

needs CAP_NET_RAW: run as root (sudo ./target/debug/handshake-demo sniff) or
give the binary the capability: sudo setcap cap_net_raw+ep ./target/debug/handshake-demo
IPv4 only.
";

const SNIFF_ZH: &str = "\
handshake-demo sniff：一个连接的真实数据包（SYN、SYN|ACK、ACK、数据、FIN……），
带绝对和相对的 seq/ack 序号，从原始套接字读出，手写代码解析。
分别展示四个包的挥手和三个包的挥手。

用法：handshake-demo sniff

需要 CAP_NET_RAW：以 root 运行（sudo ./target/debug/handshake-demo sniff），或者
给这个可执行文件加上这项能力：sudo setcap cap_net_raw+ep ./target/debug/handshake-demo
只支持 IPv4。
";
