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
//
// 中文：
// 练习 `seqpacket_queue`——第 14 课，进程之间的生产者与消费者模型。
//
// 通道无法跨越 `fork()`（第 13 课）：子进程拿到的是父进程内存的一份副本，队列
// 也一起被复制了。在进程之间，队列必须是一个内核对象。来搭出演示程序用的那一
// 种——一对 `SOCK_SEQPACKET` 套接字（socket pair）：每次 `write` 是一条记录，每
// 次 `read` 返回一条完整的记录，即使许多写方和读方共用这两端也一样——不需要锁，
// 也不需要长度前缀。套接字缓冲区给它设了上限：队列满了，写方就得等待（背压）。
//
// 写出这三个系统调用：
//   1. `queue()`：`socketpair(AF_UNIX, SOCK_SEQPACKET)`（nix：
//      `socketpair(AddressFamily::Unix, SockType::SeqPacket, None,
//      SockFlag::SOCK_CLOEXEC)`）；第一端给 `put` 用，第二端给 `get` 用。
//   2. `put(fd, item)`：把数据的 8 个字节（`to_ne_bytes`）用一次 `write` 写
//      出。
//   3. `get(fd)`：用一次 `read` 读进一个 8 字节的缓冲区。`read` 返回 0 就是文
//      件结束——put 端的每一份副本都关闭了：`Ok(None)`。
// 把错误作为 `io::Error` 返回（`io::Error::from(errno)`），绝不 panic：测试需
// 要看到队列满时的 `WouldBlock`。
//
// `run`（已给出）用你的三个函数 fork 出生产者和消费者，关闭父进程手里的副本
// （否则消费者永远看不到文件结束），回收所有子进程，并收集消费者的报告。
// 测试检查：队列是一对 SOCK_SEQPACKET 套接字，记录保持边界，文件结束会让 `get`
// 结束，队列有界，以及 3 个生产者进程和 2 个消费者进程把每个数据都恰好搬运一
// 次，并且不留下子进程。

use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, pipe, read, write, ForkResult};
use std::io;
use std::os::fd::{AsFd, OwnedFd};

/// The queue: (the end producers `put` into, the end consumers `get` from).
fn queue() -> io::Result<(OwnedFd, OwnedFd)> {
    todo!("socketpair(AF_UNIX, SOCK_SEQPACKET)")
}

/// `q.put(item)`: one record of 8 bytes.
fn put(fd: impl AsFd, item: u64) -> io::Result<()> {
    todo!("write {item}'s 8 bytes to {:?} in one write", fd.as_fd())
}

/// `q.get()`: the next record, or `None` once every put end is closed.
fn get(fd: impl AsFd) -> io::Result<Option<u64>> {
    todo!("read one 8-byte record from {:?}", fd.as_fd())
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

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use nix::fcntl::{fcntl, FcntlArg, OFlag};
    use nix::sys::socket::{getsockopt, sockopt};

    /// Both ends of the queue are SOCK_SEQPACKET sockets.
    /// 中文：队列的两端都是 SOCK_SEQPACKET 套接字。
    #[test]
    fn the_queue_is_a_seqpacket_socket_pair() {
        within(5, || {
            let (a, b) = queue().unwrap();
            for end in [&a, &b] {
                assert_eq!(getsockopt(end, sockopt::SockType).unwrap(), SockType::SeqPacket);
            }
        });
    }

    /// Items come out whole and in the order they were put.
    /// 中文：放进去的数据，取出来时完整且顺序不变。
    #[test]
    fn records_come_out_whole_and_in_order() {
        within(5, || {
            let (p, g) = queue().unwrap();
            for item in [7, u64::MAX, 0] {
                put(&p, item).unwrap();
            }
            assert_eq!(get(&g).unwrap(), Some(7));
            assert_eq!(get(&g).unwrap(), Some(u64::MAX));
            assert_eq!(get(&g).unwrap(), Some(0));
        });
    }

    /// What was put can still be got after the put end is closed; then `get` says `None` (end-of-file).
    /// 中文：写端关闭后，已经放进去的还能取出来；取完之后 `get` 返回 `None`（文件结束）。
    #[test]
    fn get_says_none_once_every_put_end_is_closed() {
        within(5, || {
            let (p, g) = queue().unwrap();
            put(&p, 42).unwrap();
            drop(p);
            assert_eq!(get(&g).unwrap(), Some(42), "what was put is still there");
            assert_eq!(get(&g).unwrap(), None, "then end-of-file");
        });
    }

    /// The queue is bounded: a non-blocking `put` into a full queue is `WouldBlock`.
    /// 中文：队列有界：队列满了时，非阻塞的 `put` 返回 `WouldBlock`。
    #[test]
    fn the_queue_is_bounded() {
        within(10, || {
            let (p, _g) = queue().unwrap();
            // Non-blocking, so that a full queue says WouldBlock instead of waiting.
            fcntl(p.as_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).unwrap();
            let mut stored = 0u64;
            let full = loop {
                match put(&p, stored) {
                    Ok(()) => stored += 1,
                    Err(e) => break e,
                }
                assert!(stored < 10_000_000, "10 million items and still not full?");
            };
            assert_eq!(full.kind(), io::ErrorKind::WouldBlock, "{full}");
            assert!(stored > 0, "an empty queue took nothing");
        });
    }

    /// Three producer and two consumer processes move all 6000 items exactly once, and every child exits 0.
    /// 中文：三个生产者进程和两个消费者进程，把 6000 个产品每个正好传递一次，所有子进程退出码都是 0。
    #[test]
    fn three_producer_and_two_consumer_processes_move_every_item_once() {
        within(20, || {
            let (totals, codes) = run(3, 2000, 2).unwrap();
            let expected_sum = (0..3u64)
                .flat_map(|p| (0..2000u64).map(move |i| p * 1_000_000 + i))
                .fold(0u64, u64::wrapping_add);
            assert_eq!(codes, vec![0; 5], "every child exits 0");
            assert_eq!(totals, Totals { count: 6000, sum: expected_sum });
        });
    }
}
