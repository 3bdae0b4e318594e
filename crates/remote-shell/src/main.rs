//! `cargo run -p remote-shell [demo|simple-server|server|client] [OPTIONS]`
//!
//! The course's 模拟ssh远程执行命令: a server runs the shell commands a
//! client sends and sends back their output. Read the code in this order:
//!
//! 1. `src/simple.rs`: the notes' server, done right, in 87 lines: framed
//!    both ways, stdout and stderr read at the same time, the child reaped.
//! 2. `src/server.rs`: the hardened server. A thread per client
//!    (`session.rs`), a timeout, limits and a token (`security.rs`), both
//!    protocols (`course_proto.rs`, byte-compatible with the notes, and
//!    `framed_proto.rs`, streamed), each command run by `exec.rs` under a
//!    keeper (`keeper.rs`) so nothing it starts outlives it.
//! 3. `src/client.rs`: the other end.
//!
//! `demo` (the default) runs both ends on 127.0.0.1 for a few seconds.

mod demo;
mod modes;

use demo_kit::cli::Args;
use demo_kit::Result;
use std::process::ExitCode;

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse((modes::HELP, modes::HELP_ZH));
    let modes = ["demo", "simple-server", "server", "client"];
    match args.subcommand(&modes, "demo")? {
        "demo" => {
            args.finish()?;
            demo::run()
        }
        "simple-server" => modes::simple_server(args),
        "server" => modes::server(args),
        _ => modes::client(args),
    }
}
