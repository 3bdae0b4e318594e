//! `cargo run -p sticky-demo [merge|split|nodelay|udp] [--buffer N] [--size N]`
//!
//! Watch 粘包 happen on your own kernel. Each scenario runs a real client
//! and a real server on 127.0.0.1 (a free port chosen by the kernel) inside
//! this one process, and every line printed below comes from what the
//! system calls actually returned.

use demo_kit::cli::Args;
use demo_kit::say::{heading, say, show_bytes, step};
use demo_kit::{Result, Side};
use std::process::ExitCode;
use sticky_demo::report::{bytes, describe, fake_command_output, messages_inside};
use sticky_demo::{tcp, udp, SMALL_MESSAGES};

const HELP: &str = "\
sticky-demo: TCP's \"sticky packets\" (粘包), live on your kernel

USAGE:
    cargo run -p sticky-demo [SCENARIO] [OPTIONS]

SCENARIOS (default: all four, in this order):
    merge     several small write()s arrive in one read()
    split     a reply longer than recv(1024) needs several reads;
              its tail is what the next reply appears to start with
    nodelay   merge again with TCP_NODELAY on: Nagle is not the cause
    udp       three datagrams, three receives: UDP keeps boundaries

OPTIONS:
    --buffer N   the client's receive buffer in split (default 1024)
    --size N     the long reply's size in split (default 2500)
    -h, --help   this text

Lesson: docs/05-sticky-packets.md";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let buffer = args.value::<usize>("--buffer")?.unwrap_or(1024);
    let size = args.value::<usize>("--size")?.unwrap_or(2500);
    let scenario = args.positional().unwrap_or_else(|| "all".to_string());
    args.finish()?;
    if buffer == 0 || size == 0 || size > 16 << 20 {
        return demo_kit::bail_msg("--buffer must be at least 1 and --size between 1 and 16777216");
    }
    match scenario.as_str() {
        "merge" => merge(false),
        "split" => split(buffer, size),
        "nodelay" => merge(true),
        "udp" => datagrams(),
        "all" => {
            merge(false)?;
            split(buffer, size)?;
            merge(true)?;
            datagrams()
        }
        other => demo_kit::bail_msg(format!(
            "unknown scenario {other:?}: choose merge, split, nodelay or udp (see --help)"
        )),
    }
}

/// Scenarios `merge` and `nodelay`: small sends, one read.
fn merge(nodelay: bool) -> Result<()> {
    let title = if nodelay {
        "nodelay: the same, with TCP_NODELAY (Nagle's algorithm off)"
    } else {
        "merge: several small sends, one read"
    };
    heading(title);
    let report = tcp::merge(&SMALL_MESSAGES, nodelay)?;

    step(
        1,
        format!(
            "the client sends {} messages, one write() each",
            report.sent.len()
        ),
    );
    for m in &report.sent {
        say(
            Side::Client,
            format!("write({}) -> {}", show_bytes(m), bytes(m.len())),
        );
    }
    let nodelay_word = if report.nodelay { "on" } else { "off" };
    say(
        Side::Kernel,
        format!("TCP_NODELAY on the client socket, read back: {nodelay_word}"),
    );
    if let Some(segs) = report.data_segments {
        say(
            Side::Kernel,
            format!("data segments the client sent for them (TCP_INFO): {segs}"),
        );
    }

    step(
        2,
        "the server is a little late: the bytes wait in its receive buffer",
    );
    say(
        Side::Kernel,
        format!(
            "FIONREAD on the server socket: {} bytes waiting",
            report.queued
        ),
    );

    step(
        3,
        "the server reads once, like the course's conn.recv(1024)",
    );
    let got = &report.first_read;
    say(
        Side::Server,
        format!(
            "recv(1024) returned {} bytes: {}",
            got.len(),
            show_bytes(got)
        ),
    );
    say(
        Side::Server,
        format!(
            "where the messages really ended: {}",
            tcp::show_boundaries(got, &report.sent, 0)
        ),
    );
    let whole = messages_inside(got.len(), &report.sent);
    say(
        Side::Note,
        format!(
            "{} messages went in, one read returned {whole} of them stuck together.",
            report.sent.len()
        ),
    );
    if nodelay {
        let segs = report
            .data_segments
            .map(|s| format!(" ({s} separate segments on the wire)"))
            .unwrap_or_default();
        say(
            Side::Note,
            format!(
                "Nagle was off{segs}, and they still stuck: the receive buffer is one byte stream."
            ),
        );
    } else {
        say(
            Side::Note,
            "TCP kept every byte, in order, but not where one send() ended and the next began.",
        );
    }
    Ok(())
}

/// Scenario `split`: one long reply, read with a small buffer.
fn split(buffer: usize, size: usize) -> Result<()> {
    heading(format!(
        "split: a {size}-byte reply read with recv({buffer})"
    ));
    let long = fake_command_output(size);
    let short = b"output of the NEXT command\n".to_vec();
    let report = tcp::split(&long, &short, buffer)?;

    step(
        1,
        "the server answers two commands, one write_all() per reply",
    );
    say(
        Side::Server,
        format!("reply 1: {} bytes (a long command output)", long.len()),
    );
    say(
        Side::Server,
        format!("reply 2: {} bytes: {}", short.len(), show_bytes(&short)),
    );

    step(
        2,
        format!("the client reads with a {buffer}-byte buffer, one read() per \"reply\""),
    );
    let mut offset = 0;
    for (i, chunk) in report.reads.iter().enumerate() {
        say(
            Side::Client,
            format!(
                "read #{}: {} bytes = {}",
                i + 1,
                chunk.len(),
                describe(offset, chunk.len(), long.len(), short.len())
            ),
        );
        offset += chunk.len();
    }
    if let Some(second) = report.reads.get(1) {
        say(
            Side::Note,
            format!(
                "the course's client would print read #2 as the answer to its NEXT command: {}…",
                show_bytes(&second[..second.len().min(30)])
            ),
        );
    }
    say(
        Side::Note,
        "one send() became several recv()s, and the leftovers stuck to the next reply.",
    );
    Ok(())
}

/// Scenario `udp`: the contrast.
fn datagrams() -> Result<()> {
    heading("udp: the same idea with datagrams");
    let messages: [&[u8]; 3] = [b"hello", b"world", b"!"];
    let report = udp::datagrams(&messages)?;
    step(1, "the client sends three datagrams");
    for m in &report.sent {
        say(
            Side::Client,
            format!("sendto({}) -> {}", show_bytes(m), bytes(m.len())),
        );
    }
    step(
        2,
        "the server receives with a 1024-byte buffer, three times",
    );
    for (size, got) in report.next_sizes.iter().zip(&report.received) {
        say(
            Side::Kernel,
            format!("FIONREAD: the next datagram is {}", bytes(*size)),
        );
        say(
            Side::Server,
            format!(
                "recvfrom(1024) returned {}: {}",
                bytes(got.len()),
                show_bytes(got)
            ),
        );
    }
    say(
        Side::Note,
        format!(
            "{} datagrams sent, {} received, each whole: UDP keeps message boundaries.",
            report.sent.len(),
            report.received.len()
        ),
    );
    Ok(())
}
