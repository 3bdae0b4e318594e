// Exercise `seqpacket_queue` — lesson 14, producers and consumers between
// *processes* (生产者与消费者模型): docs/14-producer-consumer.md
//
// A channel cannot cross `fork()` (lesson 13): the child gets a copy of the
// parent's memory, queue included. Between processes the queue must be a
// kernel object. Build the one the demo uses, a `SOCK_SEQPACKET` socket
// pair: every `write` is one record, every `read` returns one whole record,
// even with many writers and many readers sharing the two ends — no lock and
// no length prefix needed. Its socket buffer bounds it: a full queue makes a
// writer wait (back-pressure).
//
// Write the three system calls:
//   1. `queue()`: `socketpair(AF_UNIX, SOCK_SEQPACKET)` (nix:
//      `socketpair(AddressFamily::Unix, SockType::SeqPacket, None,
//      SockFlag::SOCK_CLOEXEC)`); the first end is for `put`, the second for
//      `get`.
//   2. `put(fd, item)`: the item's 8 bytes (`to_ne_bytes`) in ONE `write`.
//   3. `get(fd)`: one `read` into an 8-byte buffer. `read` returning 0 is
//      end-of-file — every copy of the put end is closed: `Ok(None)`.
// Return errors as `io::Error` (`io::Error::from(errno)`), never panic:
// the tests need to see `WouldBlock` from a full queue.
//
// `run` (given) forks the producers and consumers with your three functions,
// closes the parent's copies (or the consumers would never see end-of-file),
// reaps everyone and collects the consumers' reports.
// The tests check: the queue is a SOCK_SEQPACKET pair, records keep their
// boundaries, end-of-file ends `get`, the queue is bounded, and 3 producer
// and 2 consumer processes move every item exactly once, leaving no child.

use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, pipe, read, write, ForkResult};
use std::io;
use std::os::fd::{AsFd, OwnedFd};

/// The queue: (the end producers `put` into, the end consumers `get` from).
fn queue() -> io::Result<(OwnedFd, OwnedFd)> {
    socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .map_err(io::Error::from)
}

/// `q.put(item)`: one record of 8 bytes.
fn put(fd: impl AsFd, item: u64) -> io::Result<()> {
    let n = write(fd, &item.to_ne_bytes())?;
    if n != 8 {
        return Err(io::Error::other(format!("short write: {n} of 8 bytes")));
    }
    Ok(())
}

/// `q.get()`: the next record, or `None` once every put end is closed.
fn get(fd: impl AsFd) -> io::Result<Option<u64>> {
    let mut record = [0u8; 8];
    match read(fd.as_fd(), &mut record)? {
        0 => Ok(None),
        8 => Ok(Some(u64::from_ne_bytes(record))),
        n => Err(io::Error::other(format!("a record of {n} bytes"))),
    }
}

/// What the consumers reported: items consumed, and their sum.
#[derive(Debug, Default, PartialEq, Eq)]
struct Totals {
    count: u64,
    sum: u64,
}

/// Forks `producers` processes putting `per_producer` items each (item
/// `p * 1_000_000 + i`) and `consumers` processes getting until
/// end-of-file; each consumer reports (count, sum) through a pipe. Reaps
/// them all. Returns the totals and the exit codes. (Given.)
fn run(producers: u64, per_producer: u64, consumers: u64) -> io::Result<(Totals, Vec<i32>)> {
    let (put_end, get_end) = queue()?;
    let (report_r, report_w) = pipe()?;
    let mut pids = Vec::new();
    for c in 0..producers + consumers {
        exercises::flush_before_fork();
        // SAFETY: the child runs only the closure and then `_exit`s.
        match unsafe { fork() }? {
            ForkResult::Child => exercises::child_main(|| {
                if c < producers {
                    for i in 0..per_producer {
                        if put(&put_end, c * 1_000_000 + i).is_err() {
                            return 2;
                        }
                    }
                    return 0;
                }
                drop(put_end); // a consumer's own copy would hide end-of-file
                let (mut count, mut sum) = (0u64, 0u64);
                loop {
                    match get(&get_end) {
                        Ok(Some(item)) => (count, sum) = (count + 1, sum.wrapping_add(item)),
                        Ok(None) => break,
                        Err(_) => return 3,
                    }
                }
                let mut report = count.to_ne_bytes().to_vec();
                report.extend_from_slice(&sum.to_ne_bytes());
                if write(&report_w, &report).is_err() {
                    return 4;
                }
                0
            }),
            ForkResult::Parent { child } => pids.push(child),
        }
    }
    // The parent neither puts nor gets: close its copies, or the consumers
    // wait forever for an end-of-file that its own put end prevents.
    drop((put_end, get_end, report_w));
    let mut codes = Vec::new();
    for pid in pids {
        codes.push(match waitpid(pid, None)? {
            WaitStatus::Exited(_, code) => code,
            _ => -1,
        });
    }
    let mut totals = Totals::default();
    let mut report = [0u8; 16];
    while read(&report_r, &mut report)? == 16 {
        totals.count += u64::from_ne_bytes(report[..8].try_into().unwrap_or_default());
        let sum = u64::from_ne_bytes(report[8..].try_into().unwrap_or_default());
        totals.sum = totals.sum.wrapping_add(sum);
    }
    Ok((totals, codes))
}

// The tests are the exercise's own, kept once: see exercises/14_producer_consumer/seqpacket_queue.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
