// Exercise `ticket_lock` — lesson 12, the mutex (互斥锁):
// docs/12-mutex.md
//
// The course's ticket office: a file holding {"count": N}; many processes
// each read the count, wait a little (the network), and buy a ticket by
// writing count - 1. Without a lock, they all read the same count and sell
// the same ticket many times.
//
// 1. Write `lock`: take an exclusive `flock` on the file
//    (`nix::fcntl::Flock::lock(file, FlockArg::LockExclusive)`). The lock is
//    released when the returned `Flock` is dropped (or the process ends).
// 2. `buy` takes the lock in the wrong place (marked BUG): move it so that
//    reading the count, deciding and writing are ONE step no other process
//    can interleave with.
//
// 中文：
// 练习 `ticket_lock`——第 12 课，互斥锁。
//
// 课程里的抢票：一个存着 {"count": N} 的文件；许多进程各自读出余票数，稍等一会
// 儿（网络延迟），再写回 count - 1 来买一张票。不加锁的话，它们会读到同一个余
// 票数，把同一张票卖出很多次。
//
// 1. 写出 `lock`：在文件上加一把排他的 `flock`
//    （`nix::fcntl::Flock::lock(file, FlockArg::LockExclusive)`）。返回的
//    `Flock` 被丢弃（或进程结束）时，锁就释放了。
// 2. `buy` 加锁的位置不对（标着 BUG）：把它挪到正确的位置，让读余票数、判断、
//    写回成为同一步，其他进程无法插进来。

use nix::fcntl::{Flock, FlockArg};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

/// Takes an exclusive lock on `file`; waits while another process holds it.
fn lock(file: File) -> io::Result<Flock<File>> {
    todo!("take an exclusive flock on {file:?}")
}

/// Tries to buy one ticket; true if we got one.
fn buy(path: &Path) -> io::Result<bool> {
    let mut file = OpenOptions::new().read(true).write(true).open(path)?;
    let count = read_count(&mut file)?;
    // BUG: the lock comes too late: another buyer may have read the same count.
    let mut file = lock(file)?;
    std::thread::sleep(Duration::from_millis(20)); // the network delay
    if count == 0 {
        return Ok(false);
    }
    write_count(&mut file, count - 1)?;
    Ok(true)
}

fn read_count(file: &mut File) -> io::Result<u64> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_string(&mut text)?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    json["count"]
        .as_u64()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no count in the file"))
}

fn write_count(file: &mut File, count: u64) -> io::Result<()> {
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(serde_json::json!({ "count": count }).to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use nix::sys::wait::{waitpid, WaitStatus};
    use nix::unistd::{fork, pipe, ForkResult};
    use std::path::PathBuf;

    /// A fresh ticket file with `count` tickets, removed at the end.
    struct TicketFile(PathBuf);
    impl TicketFile {
        fn new(name: &str, count: u64) -> TicketFile {
            let path =
                std::env::temp_dir().join(format!("tickets-{}-{name}.json", std::process::id()));
            std::fs::write(&path, format!("{{\"count\": {count}}}")).unwrap();
            TicketFile(path)
        }
        fn count(&self) -> u64 {
            read_count(&mut File::open(&self.0).unwrap()).unwrap()
        }
    }
    impl Drop for TicketFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    /// Forks `buyers` processes that all try to buy at the same moment.
    /// Returns how many got a ticket.
    fn rush(path: &Path, buyers: usize) -> usize {
        // The starting gun: every buyer waits until the parent closes this pipe.
        let (gun_read, gun_write) = pipe().unwrap();
        let mut pids = Vec::new();
        for _ in 0..buyers {
            exercises::flush_before_fork();
            // SAFETY: the child only runs `child_main`, which `_exit`s.
            match unsafe { fork() }.unwrap() {
                ForkResult::Child => exercises::child_main(|| {
                    drop(gun_write);
                    let _ = File::from(gun_read).read(&mut [0u8; 1]); // wait for the gun
                    match buy(path) {
                        Ok(true) => 0,
                        Ok(false) => 1,
                        Err(_) => 2,
                    }
                }),
                ForkResult::Parent { child } => pids.push(child),
            }
        }
        drop(gun_write); // bang: every buyer's read returns
        drop(gun_read);
        let mut bought = 0;
        for pid in pids {
            match waitpid(pid, None).unwrap() {
                WaitStatus::Exited(_, 0) => bought += 1,
                WaitStatus::Exited(_, 1) => {}
                other => panic!("a buyer failed: {other:?} (101 = it panicked)"),
            }
        }
        bought
    }

    /// With one ticket, the first `buy` gets it and the second finds it sold out.
    /// 中文：只有一张票时，第一次 `buy` 买到，第二次发现已经卖完。
    #[test]
    fn one_buyer_one_ticket() {
        within(10, || {
            let tickets = TicketFile::new("one", 1);
            assert!(buy(&tickets.0).unwrap());
            assert!(!buy(&tickets.0).unwrap(), "sold out");
            assert_eq!(tickets.count(), 0);
        });
    }

    // Eight buyers queue on the lock for 20 ms each: well under a second.
    // The deadline only bounds a wrong attempt (a buyer that never ends).
    /// Eight processes rush for three tickets: exactly three are sold, none twice.
    /// 中文：八个进程抢三张票：正好卖出三张，没有一张被卖两次。
    #[test]
    fn eight_buyers_three_tickets() {
        within(5, || {
            let tickets = TicketFile::new("rush", 3);
            let bought = rush(&tickets.0, 8);
            assert_eq!(
                bought, 3,
                "3 tickets, {bought} sold: the same ticket sold twice?"
            );
            assert_eq!(tickets.count(), 0);
        });
    }
}
