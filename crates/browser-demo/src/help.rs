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
    -h, --help            this text";
