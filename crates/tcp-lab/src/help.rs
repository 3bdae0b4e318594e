//! The `--help` text (kept out of `main.rs`, which holds the story).

pub const HELP: &str = "\
tcp-lab: the TCP handshake by hand, against your own kernel, over a TUN device

usage: tcp-lab [handshake]            SYN, SYN|ACK, ACK, data, FIN/ACK/FIN/ACK, bad packets
       tcp-lab connect [--answer-after N]
                                      the kernel connects to us; we answer its Nth SYN
                                      (1..=7, default 3) and time its retransmissions
       tcp-lab wire [--loss P] [--delay MS] [--reorder P] [--duplicate P] [--bytes N]
                                      two network stacks, a lossy wire between them:
                                      P in 0..=50 (percent), MS in 0..=500, N in 1..=50000000

Everything happens in a private network namespace (192.0.2.0/24, TEST-NET-1),
which disappears when the lab exits. Needs root, or unprivileged user namespaces
plus a usable /dev/net/tun; without them it exits with status 77 and says why.
--lang en|zh chooses the language (default: from LC_ALL, LC_MESSAGES, LANG).";

pub const HELP_ZH: &str = "\
tcp-lab：在 TUN 设备上，对着你自己的内核手工完成 TCP 握手

用法：tcp-lab [handshake]            SYN、SYN|ACK、ACK，数据，FIN/ACK/FIN/ACK，有问题的包
      tcp-lab connect [--answer-after N]
                                     内核来连接我们；我们回答它的第 N 个 SYN
                                     （1..=7，默认 3），并给它的重传计时
      tcp-lab wire [--loss P] [--delay MS] [--reorder P] [--duplicate P] [--bytes N]
                                     两个网络协议栈，中间是一条会丢包的线路：
                                     P 在 0..=50（百分比），MS 在 0..=500，N 在 1..=50000000

一切都发生在一个私有的网络命名空间里（192.0.2.0/24，TEST-NET-1），实验结束时它就消失了。
需要 root，或者非特权用户命名空间加上可用的 /dev/net/tun；都没有时以状态码 77 退出并说明原因。
--lang en|zh 选择输出语言（默认看 LC_ALL、LC_MESSAGES、LANG）。";
