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

use nix::fcntl::{Flock, FlockArg};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

/// Takes an exclusive lock on `file`; waits while another process holds it.
fn lock(file: File) -> io::Result<Flock<File>> {
    Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, errno)| io::Error::from(errno))
}

/// Tries to buy one ticket; true if we got one.
fn buy(path: &Path) -> io::Result<bool> {
    let file = OpenOptions::new().read(true).write(true).open(path)?;
    let mut file = lock(file)?;
    let count = read_count(&mut file)?;
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

// The tests are the exercise's own, kept once: see exercises/12_mutex/ticket_lock.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
