//! Reading a process's state the way `ps` does: from `/proc/<pid>/stat`.
//!
//! Several lessons need to *show* what the kernel thinks of a process — a
//! zombie is state `Z`, a daemon has its own session and no controlling
//! terminal, an orphan's parent pid changes. Linux publishes all of that in
//! one line of `/proc/<pid>/stat`; this module parses it once for every demo.
//! On systems without `/proc` the functions return `None`.

/// The fields of `/proc/<pid>/stat` the lessons use (see `man 5 proc`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcStat {
    pub pid: i32,
    /// The command name (`comm`), at most 15 bytes; set with `prctl(PR_SET_NAME)`.
    pub comm: String,
    /// `R` running, `S` sleeping, `D` disk wait, `Z` zombie, `T` stopped, ...
    pub state: char,
    pub ppid: i32,
    /// Process group id.
    pub pgrp: i32,
    /// Session id.
    pub session: i32,
    /// Controlling terminal (0 = none).
    pub tty_nr: i32,
}

/// Parses one `/proc/<pid>/stat` line.
///
/// The command name sits in parentheses and may itself contain spaces and
/// parentheses, so we split at the *last* `)`.
///
/// ```
/// let s = demo_kit::procfs::parse_stat("42 (my (odd) name) Z 7 42 42 0 -1").unwrap();
/// assert_eq!((s.pid, s.comm.as_str(), s.state, s.ppid), (42, "my (odd) name", 'Z', 7));
/// ```
pub fn parse_stat(line: &str) -> Option<ProcStat> {
    let open = line.find('(')?;
    let close = line.rfind(')')?;
    let pid = line[..open].trim().parse().ok()?;
    let comm = line[open + 1..close].to_string();
    let mut rest = line[close + 1..].split_whitespace();
    let state = rest.next()?.chars().next()?;
    let mut num = || rest.next()?.parse::<i32>().ok();
    Some(ProcStat {
        pid,
        comm,
        state,
        ppid: num()?,
        pgrp: num()?,
        session: num()?,
        tty_nr: num()?,
    })
}

/// Reads `/proc/<pid>/stat`; `None` if the process does not exist (any
/// more) or this system has no `/proc`.
pub fn stat(pid: i32) -> Option<ProcStat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text)
}

/// True if `/proc/<pid>` no longer exists: the process has exited *and*
/// been reaped (a zombie still has its `/proc` entry).
pub fn is_gone(pid: i32) -> bool {
    stat(pid).is_none()
}
