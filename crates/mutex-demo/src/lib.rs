//! `mutex-demo`: 互斥锁 (mutual exclusion), the course's ticket-buying
//! exercise (抢票) on the real kernel.
//!
//! Several buyers share one "database", a JSON file `{"count": 1}`. Each
//! buyer reads it, decides, and writes it back. Between the read and the
//! write lies the *critical section*: if two buyers are inside at once,
//! both see the same last ticket and both "buy" it.
//!
//! * [`tickets`]: buyer *processes*, without a lock and with an exclusive
//!   file lock (`flock`), the Unix machinery behind "a lock all processes see";
//! * [`pitfall`]: why each buyer must open the file itself after `fork`;
//! * [`threads`]: the same race between *threads* of one process, and
//!   `std::sync::Mutex`.
//!
//! Each scenario narrates its calls as they return and hands back a
//! report for the tests. This file holds the ticket database itself (a
//! private temporary directory and the read/write of the JSON file) and
//! [`judge`], the verdict on a race.

pub mod pitfall;
pub mod threads;
pub mod tickets;

use demo_kit::say::say;
use demo_kit::{tr, Context, Result, Side};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A private directory under the system temp dir, removed on drop, holding
/// the ticket file `db.json` (the course calls it `db.txt`).
pub struct TicketDb {
    dir: PathBuf,
}

impl TicketDb {
    /// Creates a fresh directory with a unique name and a database with
    /// `count` tickets.
    pub fn create(count: u64) -> Result<TicketDb> {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "mutex-demo-{}-{}-{nanos}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir(&dir).with_context(|| {
            tr!(
                "creating the temp directory {}",
                "创建临时目录 {}",
                dir.display()
            )
        })?;
        let db = TicketDb { dir };
        db.reset(count)?;
        say(
            Side::Parent,
            tr!(
                "created {} with {{\"count\": {count}}}",
                "已创建 {}，内容为 {{\"count\": {count}}}",
                db.path().display()
            ),
        );
        Ok(db)
    }

    /// The directory (removed when the `TicketDb` is dropped).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The JSON file every buyer opens.
    pub fn path(&self) -> PathBuf {
        self.dir.join("db.json")
    }

    /// Writes `{"count": count}`, like the course's `json.dump`.
    pub fn reset(&self, count: u64) -> Result<()> {
        let mut f = File::create(self.path()).context(tr!("creating db.json", "创建 db.json"))?;
        store(&mut f, count).context(tr!("writing db.json", "写 db.json"))
    }

    /// Reads the count back.
    pub fn count(&self) -> Result<u64> {
        let mut f = File::open(self.path()).context(tr!("opening db.json", "打开 db.json"))?;
        load(&mut f)?.context(tr!(
            "db.json does not hold {{\"count\": N}}",
            "db.json 里不是 {{\"count\": N}}"
        ))
    }
}

impl TicketDb {
    /// Removes the directory now, and says whether it is gone.
    pub fn remove(self) {
        let dir = self.dir.clone();
        drop(self);
        say(
            Side::Parent,
            tr!(
                "removed {} (exists now: {})",
                "已删除 {}（现在还存在：{}）",
                dir.display(),
                dir.exists()
            ),
        );
    }
}

impl Drop for TicketDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Reads the whole file from the start and parses `{"count": N}`.
/// `Ok(None)` means the text was not a complete JSON object: another buyer
/// was half-way through rewriting it (a torn read, only possible unlocked).
pub fn load(f: &mut File) -> Result<Option<u64>> {
    let mut text = String::new();
    f.seek(SeekFrom::Start(0))
        .context(tr!("seeking db.json", "在 db.json 里 seek"))?;
    f.read_to_string(&mut text)
        .context(tr!("reading db.json", "读 db.json"))?;
    let value: Option<serde_json::Value> = serde_json::from_str(&text).ok();
    Ok(value.and_then(|v| v["count"].as_u64()))
}

/// Replaces the file's contents with `{"count": N}`: truncate, then one
/// `write`, like the course's `json.dump(dic, open('db.txt', 'w'))`.
pub fn store(f: &mut File, count: u64) -> std::io::Result<()> {
    let text = serde_json::json!({ "count": count }).to_string();
    f.seek(SeekFrom::Start(0))?;
    f.set_len(0)?;
    f.write_all(text.as_bytes())
}

/// Compares tickets bought with what could honestly be sold.
pub fn judge(bought: usize, tickets: u32, buyers: usize) -> String {
    let possible = (tickets as usize).min(buyers);
    match bought.cmp(&possible) {
        std::cmp::Ordering::Greater => tr!(
            "sold {bought}, but there were only {tickets}: OVERSOLD by {}",
            "卖出 {bought} 张，可总共只有 {tickets} 张：超卖了 {} 张",
            bought - possible
        ),
        std::cmp::Ordering::Equal => tr!(
            "sold {bought} of {tickets}: exact",
            "共 {tickets} 张，卖出 {bought} 张：一张不差"
        ),
        std::cmp::Ordering::Less => {
            tr!(
                "sold {bought} of {tickets}: fewer than possible (some buyers failed?)",
                "共 {tickets} 张，卖出 {bought} 张：比能卖的少（有买票的失败了？）"
            )
        }
    }
}
