//! Looking at copy-on-write in the page tables: `/proc/self/pagemap`.
//!
//! After `fork()` the kernel does not copy the parent's memory. Both
//! processes' page tables point at the *same* physical pages, marked
//! read-only; the first write to such a page faults, and only then does the
//! kernel copy that one page for the writer (copy-on-write, 写时复制).
//!
//! Linux shows this per virtual page in `/proc/<pid>/pagemap`: one 64-bit
//! entry per page (see `Documentation/admin-guide/mm/pagemap.rst`):
//!
//! * bit 63 — the page is present in RAM;
//! * bit 56 — the page is mapped *exclusively* (by this process only);
//! * bits 0–54 — the physical frame number (PFN). Since Linux 4.2 the PFN
//!   reads as 0 unless the process that *opened* the file has the capability
//!   `CAP_SYS_ADMIN` (in 4.0 and 4.1 the open itself failed with `EPERM`).
//!   Root normally has it; root without it (a container that drops it) sees
//!   zeros too. So without it we see the "exclusive" bit but not the frame.
//!
//! Every function here is a few plain system calls (`open`, `pread`,
//! `close`), so a forked child may call it.

use demo_kit::say::say;
use demo_kit::{tr, Side};

/// One page's entry in `/proc/self/pagemap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageInfo {
    pub present: bool,
    /// Mapped by this process only (false right after `fork`: shared).
    pub exclusive: bool,
    /// Physical frame number; `None` when the kernel hides it (no
    /// `CAP_SYS_ADMIN`).
    pub frame: Option<u64>,
}

/// Reads the pagemap entry of the page holding `addr`, in the calling
/// process. `None` if `/proc/self/pagemap` cannot be read (a kernel built
/// without it, or a sandbox that hides it).
pub fn page_info(addr: usize) -> Option<PageInfo> {
    use nix::libc;
    // SAFETY: plain system calls on a descriptor we open and close here;
    // the buffer is a live 8-byte array.
    let entry = unsafe {
        let page = libc::sysconf(libc::_SC_PAGESIZE);
        if page <= 0 {
            return None;
        }
        let fd = libc::open(
            c"/proc/self/pagemap".as_ptr(),
            libc::O_RDONLY | libc::O_CLOEXEC,
        );
        if fd < 0 {
            return None;
        }
        let mut buf = [0u8; 8];
        let offset = (addr / page as usize * 8) as libc::off_t;
        let n = libc::pread(fd, buf.as_mut_ptr().cast(), 8, offset);
        libc::close(fd);
        if n != 8 {
            return None;
        }
        u64::from_ne_bytes(buf)
    };
    let pfn = entry & ((1 << 55) - 1);
    Some(PageInfo {
        present: entry >> 63 & 1 == 1,
        exclusive: entry >> 56 & 1 == 1,
        frame: (pfn != 0).then_some(pfn),
    })
}

/// Packs a [`PageInfo`] into one `u64` for the trip through a pipe.
pub fn encode(info: Option<PageInfo>) -> u64 {
    match info {
        None => 0,
        Some(p) => {
            (1 << 63)
                | (u64::from(p.present) << 62)
                | (u64::from(p.exclusive) << 61)
                | p.frame.unwrap_or(0)
        }
    }
}

/// The inverse of [`encode`].
pub fn decode(word: u64) -> Option<PageInfo> {
    if word >> 63 == 0 {
        return None;
    }
    let frame = word & ((1 << 55) - 1);
    Some(PageInfo {
        present: word >> 62 & 1 == 1,
        exclusive: word >> 61 & 1 == 1,
        frame: (frame != 0).then_some(frame),
    })
}

/// Narrates one page entry, e.g. `x's page after fork: shared with another
/// process, physical frame 0x153be0`.
pub fn tell(side: Side, what: &str, info: Option<PageInfo>) {
    let Some(p) = info else { return };
    let frame = p.frame.map_or(
        tr!(
            "hidden (needs CAP_SYS_ADMIN)",
            "不可见（需要 CAP_SYS_ADMIN）"
        ),
        |f| format!("{f:#x}"),
    );
    let sharing = if p.exclusive {
        tr!("exclusive to this process", "本进程独占")
    } else {
        tr!("shared with another process", "与另一个进程共享")
    };
    say(
        side,
        tr!(
            "/proc/self/pagemap: {what}: {sharing}, physical frame {frame}",
            "/proc/self/pagemap：{what}：{sharing}，物理页框 {frame}"
        ),
    );
}
