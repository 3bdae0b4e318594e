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
  -h, --help       this text

COLUMNS: done (round trips finished, every byte checked), req/s, p50/p99 latency,
load-cpu (the load generator's own CPU, 100% = a core), srv-cpu/rt (server utime+stime
per round trip), rss/conn ((VmRSS after all connected - before) / conns), fds, VmHWM.";
