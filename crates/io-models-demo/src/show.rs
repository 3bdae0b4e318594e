//! The narration of each step: run the scenario, then say what the kernel
//! did, in plain words. Every figure printed here was just measured.

use demo_kit::say::{say, show_bytes};
use demo_kit::{Result, Side};
use io_models_demo::multiplex::Model;
use io_models_demo::{blocking, cost, edge, fdsetsize, multiplex, nonblocking};
use std::time::Duration;

pub fn blocking(wait: Duration) -> Result<Duration> {
    say(
        Side::Server,
        "a thread calls recv() on a blocking socket with nothing in it",
    );
    let r = blocking::run(b"hello after a pause", wait)?;
    say(
        Side::Kernel,
        format!(
            "/proc/self/task/{}/stat: state {} (sleeping) while recv waits",
            r.tid, r.state
        ),
    );
    match &r.wchan {
        Some(w) => say(
            Side::Kernel,
            format!(
                "/proc/self/task/{}/wchan: {w} (the kernel function it sleeps in)",
                r.tid
            ),
        ),
        None => say(
            Side::Kernel,
            "wchan is not readable here (the kernel hides it); the state says enough",
        ),
    }
    say(
        Side::Client,
        format!("sends {} after {wait:?}", show_bytes(&r.received)),
    );
    say(
        Side::Server,
        format!(
            "recv returned {} bytes after {:.1?}",
            r.received.len(),
            r.waited
        ),
    );
    say(
        Side::Kernel,
        format!("CPU time the waiting thread used (getrusage): {:?}", r.cpu),
    );
    Ok(r.cpu)
}

pub fn nonblocking(wait: Duration, blocking_cpu: Duration) -> Result<()> {
    say(
        Side::Server,
        "fcntl(F_SETFL, O_NONBLOCK), then recv() on the empty socket",
    );
    let r = nonblocking::run(b"hello after a pause", wait)?;
    match r.first_error {
        Some(e) => say(
            Side::Kernel,
            format!("recv failed at once with {e}: no data yet, come back later"),
        ),
        None => say(Side::Kernel, "recv returned data at once (unexpected)"),
    }
    say(
        Side::Server,
        "a busy loop calls recv again and again until the message comes",
    );
    say(
        Side::Server,
        format!(
            "got {} after {:.1?} and {} wasted recv calls (EAGAIN)",
            show_bytes(&r.received),
            r.waited,
            r.wasted_calls
        ),
    );
    say(
        Side::Kernel,
        format!(
            "CPU time the loop burned: {:.1?} (the blocking wait used {blocking_cpu:?})",
            r.cpu
        ),
    );
    say(
        Side::Note,
        "non-blocking alone just moves the waiting into your loop; it pays off with multiplexing",
    );
    Ok(())
}

pub fn multiplex(clients: usize) -> Result<()> {
    for (model, name) in [
        (Model::Select, "select"),
        (Model::Poll, "poll"),
        (Model::Epoll, "epoll"),
    ] {
        let r = multiplex::run(model, clients, 3)?;
        let ok = if r.all_echoed {
            "every echo came back unchanged"
        } else {
            "SOME ECHOES WERE WRONG"
        };
        say(Side::Server, format!("{name}: 1 thread served {} clients x 3 messages: {} echoes in {} {name} calls; {ok}", r.clients, r.echoes, r.waits));
    }
    say(Side::Note, "no thread per client: the thread sleeps in one call for all sockets, then serves the ready ones");
    Ok(())
}

pub fn fdsetsize() -> Result<()> {
    let r = fdsetsize::run()?;
    say(
        Side::Server,
        format!(
            "fcntl(F_DUPFD, 1024) made a readable socket numbered {}",
            r.high_fd
        ),
    );
    match &r.select_refused {
        Some(why) => say(Side::Server, format!("select refused: {why}")),
        None => say(Side::Server, "select accepted it (unexpected)"),
    }
    say(
        Side::Kernel,
        format!("poll on fd {}: readable = {}", r.high_fd, r.poll_readable),
    );
    say(
        Side::Kernel,
        format!(
            "epoll_wait on fd {}: readable = {}",
            r.high_fd, r.epoll_readable
        ),
    );
    say(
        Side::Note,
        "in C, FD_SET(1024, &set) writes past the bitmap: undefined behaviour; we check first",
    );
    Ok(())
}

pub fn cost(sizes: &[usize]) -> Result<()> {
    let (soft, _) = io_models_demo::raise_nofile()?;
    say(Side::Note, format!("open-files limit raised to {soft}; median of many calls, each finding the 1 active socket"));
    say(
        Side::Note,
        "   idle sockets |     select |       poll | epoll_wait",
    );
    for &idle in sizes {
        if idle as u64 + 64 > soft {
            say(
                Side::Note,
                format!("{idle:>15} | skipped: needs {idle} descriptors, the limit is {soft}"),
            );
            continue;
        }
        let c = cost::measure(idle, (20_000 / idle).clamp(20, 2000))?;
        let select = c
            .select
            .map_or("fd>=1024".to_string(), |d| format!("{d:.1?}"));
        say(
            Side::Kernel,
            format!(
                "{:>15} | {select:>10} | {:>10} | {:>10}",
                c.idle,
                format!("{:.1?}", c.poll),
                format!("{:.1?}", c.epoll_wait)
            ),
        );
    }
    say(Side::Note, "select and poll check every socket on every call; epoll_wait hands over the ready list only");
    Ok(())
}

pub fn edge(wait: Duration) -> Result<()> {
    for edge_triggered in [false, true] {
        let name = if edge_triggered {
            "edge-triggered (EPOLLIN|EPOLLET)"
        } else {
            "level-triggered (EPOLLIN)"
        };
        let r = edge::partial_read(edge_triggered, 1000, 100, wait)?;
        say(
            Side::Client,
            format!("{name}: the client sends {} bytes", r.sent),
        );
        say(
            Side::Server,
            format!(
                "epoll_wait: readable; recv takes only {} bytes; epoll_wait again",
                r.first_read
            ),
        );
        if r.reported_again {
            say(
                Side::Kernel,
                format!(
                    "reported again after {:.1?}: {} bytes are still waiting",
                    r.second_wait, r.left_in_buffer
                ),
            );
        } else {
            say(Side::Kernel, format!("STALL: nothing reported for {:.0?}, yet {} bytes sit in the buffer (FIONREAD): no new edge", r.second_wait, r.left_in_buffer));
        }
    }
    let r = edge::read_until_eagain(1000, 100)?;
    say(Side::Server, format!("the fix, edge-triggered: read until EAGAIN: {} of {} bytes in {} recv calls (the last said EAGAIN)", r.read, r.sent, r.recv_calls));
    say(
        Side::Kernel,
        format!(
            "the client sends more: reported again = {} (new data, new edge)",
            r.new_data_reported
        ),
    );
    Ok(())
}
