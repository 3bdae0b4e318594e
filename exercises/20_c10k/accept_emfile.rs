// Exercise `accept_emfile` — lesson 20, C10K (10,000 connections):
// docs/20-c10k.md
//
// Every connection is a file descriptor, and a process may hold only so
// many (`ulimit -n`). When it holds them all, `accept` fails with EMFILE
// ("too many open files") and the client STAYS in the accept queue. A server
// that just retries spins at 100 % CPU forever; one that gives up stops
// serving everyone.
//
// Write `accept_or_shed`, the trick libuv and muduo use: keep one SPARE
// descriptor open (`/dev/null`). On EMFILE:
//   1. close the spare (`spare.take()`, then drop it): one descriptor is free;
//   2. `accept` the waiting client and drop that connection at once (the
//      client sees end-of-file: refused, not left hanging);
//   3. open the spare again (`File::open("/dev/null")`) and return Ok(None).
// A client accepted normally is `Ok(Some(conn))`; any other error is `Err`.
// The tests run your loop in a child process whose open-files limit is 16.
//
// 中文：
// 练习 `accept_emfile`——第 20 课，C10K（一万个连接）。
//
// 每个连接都是一个文件描述符，而一个进程能持有的数量是有限的（`ulimit -n`）。
// 全部用完时，`accept` 会以 EMFILE（“打开的文件过多”）失败，而客户端仍然留在
// accept 队列里。只会重试的服务端会永远以 100 % 的 CPU 空转；干脆放弃的服务端
// 则不再为任何人服务。
//
// 写出 `accept_or_shed`，这是 libuv 和 muduo 用的技巧：多留一个备用的文件描述
// 符（`/dev/null`）开着。遇到 EMFILE 时：
//   1. 关掉备用的那个（`spare.take()`，然后丢弃它）：腾出一个描述符；
//   2. `accept` 那个等着的客户端，并立刻丢弃这个连接（客户端会读到文件结束：被
//      拒绝，而不是被晾在那里）；
//   3. 重新打开备用描述符（`File::open("/dev/null")`），返回 Ok(None)。
// 正常接受的客户端是 `Ok(Some(conn))`；其他任何错误是 `Err`。
// 测试在一个子进程里运行你的循环，这个子进程的打开文件数上限是 16。

use std::fs::File;
use std::io;
use std::net::{TcpListener, TcpStream};

/// `accept`, shedding the client instead of failing when out of descriptors.
pub fn accept_or_shed(
    listener: &TcpListener,
    spare: &mut Option<File>,
) -> io::Result<Option<TcpStream>> {
    match listener.accept() {
        Ok((conn, _)) => Ok(Some(conn)),
        // BUG: out of descriptors, this gives up, and the client is left in the queue.
        Err(e) => {
            let _ = spare;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use nix::sys::wait::{waitpid, WaitStatus};
    use nix::unistd::{fork, pipe, ForkResult};
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;
    use std::time::Duration;

    const CLIENTS: usize = 30;

    /// The child: open-files limit 16, accept until every client is held
    /// or shed, report "held shed" on `report`, then wait for `go`.
    fn child(listener: TcpListener, mut report: File, mut go: File) -> i32 {
        // SAFETY: plain system calls in the child; alarm ends it in 10 s whatever happens.
        unsafe {
            nix::libc::alarm(10);
            let keep = [listener.as_raw_fd(), report.as_raw_fd(), go.as_raw_fd()];
            for fd in 3..1024 {
                if !keep.contains(&fd) {
                    nix::libc::close(fd);
                }
            }
            let mut lim = nix::libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            nix::libc::getrlimit(nix::libc::RLIMIT_NOFILE, &mut lim);
            lim.rlim_cur = 16; // the soft limit; the hard one stays
            if nix::libc::setrlimit(nix::libc::RLIMIT_NOFILE, &lim) != 0 {
                return 2;
            }
        }
        let mut spare = File::open("/dev/null").ok();
        let (mut held, mut shed) = (Vec::new(), 0);
        while held.len() + shed < CLIENTS {
            match accept_or_shed(&listener, &mut spare) {
                Ok(Some(conn)) => held.push(conn),
                Ok(None) => shed += 1,
                Err(_) => return 3,
            }
        }
        if writeln!(report, "{} {shed}", held.len()).is_err() {
            return 4;
        }
        drop(report); // end-of-file for the parent's read_to_string
        let _ = go.read(&mut [0u8; 1]);
        0
    }

    /// Under a limit of 16 descriptors, clients beyond it are accepted and closed at once (they read EOF) while the rest are held, and the server neither fails nor spins.
    /// 中文：描述符上限为 16 时，超出的客户端被 accept 后立即关闭（它们读到 EOF），其余的保持连接；服务端既不出错，也不空转。
    #[test]
    fn clients_beyond_the_limit_are_shed_and_the_rest_held() {
        within(20, || {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let (report_r, report_w) = pipe().unwrap();
            let (go_r, go_w) = pipe().unwrap();
            exercises::flush_before_fork();
            // SAFETY: the child only runs `child_main`, which `_exit`s.
            let pid = match unsafe { fork() }.unwrap() {
                ForkResult::Child => exercises::child_main(|| {
                    drop((report_r, go_w));
                    child(listener, File::from(report_w), File::from(go_r))
                }),
                ForkResult::Parent { child } => child,
            };
            drop((listener, report_w, go_r));
            let mut go = File::from(go_w);
            let mut clients: Vec<TcpStream> = (0..CLIENTS)
                .map(|_| TcpStream::connect(addr).unwrap())
                .collect();
            let mut line = String::new();
            File::from(report_r).read_to_string(&mut line).ok();
            // The child is still alive and holds its clients: who was shed?
            let mut ended = 0;
            for c in &mut clients {
                c.set_read_timeout(Some(Duration::from_millis(200)))
                    .unwrap();
                // A shed client reads end-of-file at once; a held one times out.
                if matches!(c.read(&mut [0u8; 1]), Ok(0)) {
                    ended += 1;
                }
            }
            let _ = go.write_all(b"x");
            let status = waitpid(pid, None).unwrap();
            let counts: Vec<usize> = line
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            assert_eq!(status, WaitStatus::Exited(pid, 0), "the child failed (3: accept_or_shed returned Err; killed: it spun); it said {line:?}");
            let [held, shed] = counts[..] else {
                panic!("the child reported {line:?}")
            };
            assert_eq!(held + shed, CLIENTS);
            assert!(
                held >= 5 && shed >= 10,
                "held {held}, shed {shed} under a limit of 16 descriptors"
            );
            assert_eq!(
                ended, shed,
                "every shed client must see end-of-file while the server lives"
            );
        });
    }
}
