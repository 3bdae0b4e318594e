//! The `--help` text (kept out of `main.rs`, which holds the story).

pub const HELP: &str = "\
c10k: many connections, one server, measured (C10K and socketserver)

USAGE:
  cargo run -p c10k -- [--model M] [--conns N] [--rounds M] [--time-limit S]
  cargo run -p c10k -- serve --model M [--addr 127.0.0.1:8765] [--threads N] [--seconds S]
  cargo run -p c10k -- load --addr HOST:PORT [--conns N] [--rounds M] [--server-pid P]

Without a subcommand: starts each server model in its own process, drives it with the
load generator (another process, one epoll loop), and prints one line per model.

MODELS:
  thread        a thread per connection (remote-shell; socketserver.ThreadingTCPServer)
  pool          a fixed pool of --threads threads (default 8), each serving one client at a time
  epoll         one thread, one epoll loop
  epoll-cores   one epoll loop per core, sharing the listener (EPOLLEXCLUSIVE)
  async         one thread, each connection an async fn on lesson 19's runtime
  py-threading  Python's socketserver.ThreadingTCPServer (crates/c10k/py/threading_echo.py)
  py-asyncio    Python's asyncio streams server (crates/c10k/py/asyncio_echo.py)
  bare          one client at a time, no framing: the single-connection ceiling

OPTIONS:
  --model M        one model, or all (default all; bare only when named)
  --conns N        connections, all at once (default 1000; at most the open-files limit)
  --rounds M       round trips of a 64-byte frame per connection (default 10)
  --time-limit S   per run, for connecting and for the round trips (default 60)
  --svg DIR        also write the table as DIR/20-c10k.csv (the figures) and .svg,
                   .zh-CN.svg (drawn from them)
  --lang L         the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
  -h, --help       this text

COLUMNS: done (round trips finished, every byte checked), req/s, p50/p99 latency,
load-cpu (the load generator's own CPU, 100% = a core), srv-cpu/rt (server utime+stime
per round trip), rss/conn ((VmRSS after all connected - before) / conns), fds, VmHWM.";

pub const HELP_ZH: &str = "\
c10k：很多连接，一个服务端，实测（C10K 与 socketserver）

用法：
  cargo run -p c10k -- [--model M] [--conns N] [--rounds M] [--time-limit S]
  cargo run -p c10k -- serve --model M [--addr 127.0.0.1:8765] [--threads N] [--seconds S]
  cargo run -p c10k -- load --addr HOST:PORT [--conns N] [--rounds M] [--server-pid P]

不带子命令时：把每种服务端模型各自放在一个进程里启动，用负载生成器（另一个进程，
一个 epoll 循环）驱动它，每种模型输出一行。

模型：
  thread        每个连接一个线程（remote-shell；socketserver.ThreadingTCPServer）
  pool          固定大小的线程池，--threads 个线程（默认 8），每个线程一次服务一个客户端
  epoll         一个线程，一个 epoll 循环
  epoll-cores   每个核一个 epoll 循环，共用监听套接字（EPOLLEXCLUSIVE）
  async         一个线程，每个连接是第 19 课运行时上的一个 async fn
  py-threading  Python 的 socketserver.ThreadingTCPServer（crates/c10k/py/threading_echo.py）
  py-asyncio    Python 的 asyncio streams 服务端（crates/c10k/py/asyncio_echo.py）
  bare          一次一个客户端，不分帧：单个连接的上限

选项：
  --model M        一种模型，或 all（默认 all；bare 只有点名时才跑）
  --conns N        同时建立的连接数（默认 1000；不超过打开文件数上限）
  --rounds M       每个连接 64 字节帧的往返次数（默认 10）
  --time-limit S   每次运行建连接和往返各自的时限（默认 60）
  --svg DIR        同时把表格写成 DIR/20-c10k.csv（数据），以及据此画出的 .svg、.zh-CN.svg
  --lang L         输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
  -h, --help       显示本帮助

列：done（完成的往返，每个字节都核对过），req/s，p50/p99 延迟，
load-cpu（负载生成器自己的 CPU，100% = 一个核），srv-cpu/rt（每次往返的服务端 utime+stime），
rss/conn（全部连上之后的 VmRSS 减去之前的，再除以连接数），fds，VmHWM。";
