//! `os.getpid()`, `os.getppid()` and `current_process().name`.
//!
//! `getpid()` and `getppid()` are system calls: the kernel's own numbers, the
//! "门牌号" (house number) of the course. The child's `getpid()` equals what
//! `fork()` returned to the parent, and its `getppid()` is the parent's pid.
//!
//! `current_process().name` is different: in Python it is only a string kept
//! in the `Process` object (default `Process-1`); the kernel never hears of
//! it, so `ps` and `/proc/<pid>/comm` still say `python3`. Linux does have a
//! per-process name, *comm* (at most 15 bytes, truncated silently), set with
//! `prctl(PR_SET_NAME)` — that is what `ps`, `top` and `/proc/<pid>/comm`
//! show. We set it in the child and read it back from outside.
//! (Linux-only: `prctl` and `/proc`.)

use crate::pipe::{child_read_byte, i32s, pipe, recv, send};
use crate::process::{describe, Child, TIMEOUT};
use demo_kit::say::say;
use demo_kit::{tr, Context, Error, Result, Side};
use nix::sys::wait::WaitStatus;
use nix::unistd::{getpid, getppid};
use std::ffi::CString;
use std::process::{Command, Stdio};

#[derive(Debug)]
pub struct NameReport {
    pub parent_pid: i32,
    /// What `fork()` returned to the parent.
    pub child_pid: i32,
    /// What the child's own `getpid()` / `getppid()` returned.
    pub child_getpid: i32,
    pub child_getppid: i32,
    /// The name we asked for, and `/proc/<pid>/comm` as read by the parent.
    pub asked: String,
    pub comm: String,
    /// Whether the kernel kept fewer bytes than we asked for.
    pub truncated: bool,
    /// `ps -o pid=,ppid=,stat=,comm= -p <pid>`, if `ps` is installed.
    pub ps: Option<String>,
    pub status: WaitStatus,
}

/// Starts a child that names itself `name`, and reads the name from outside.
pub fn name_the_child(name: &str) -> Result<NameReport> {
    let cname = CString::new(name).map_err(|_| {
        Error::msg(tr!(
            "the name must not contain a NUL byte; see --help",
            "名字里不能有 NUL 字节；见 --help"
        ))
    })?;
    let up = pipe()?;
    let down = pipe()?;
    let mut child = Child::start(|| {
        if nix::sys::prctl::set_name(&cname).is_err() {
            return 2;
        }
        let mut msg = getpid().as_raw().to_ne_bytes().to_vec();
        msg.extend_from_slice(&getppid().as_raw().to_ne_bytes());
        if send(&up.write, &msg).is_err() {
            return 3;
        }
        // Stay alive until the parent has looked at us.
        match child_read_byte(&down.read) {
            Some(b'x') => 0,
            _ => 4,
        }
    })?;
    // Keep only the parent's ends: a child that dies early then shows as EOF.
    drop((up.write, down.read));
    let pid = child.pid().as_raw();
    let ids = i32s(&recv(&up.read, 8, "the child's getpid/getppid")?);
    say(
        Side::Parent,
        tr!(
            "os.getpid() = {}; fork() returned {pid}",
            "os.getpid() = {}；fork() 返回了 {pid}",
            getpid()
        ),
    );
    say(
        Side::Child,
        tr!(
            "(through the pipe) os.getpid() = {}, os.getppid() = {}",
            "（通过管道）os.getpid() = {}，os.getppid() = {}",
            ids[0],
            ids[1]
        ),
    );
    say(
        Side::Child,
        tr!(
            "(through the pipe) prctl(PR_SET_NAME, {name:?}) done",
            "（通过管道）prctl(PR_SET_NAME, {name:?}) 已调用"
        ),
    );

    let comm = std::fs::read(format!("/proc/{pid}/comm"))
        .with_context(|| tr!("reading /proc/{pid}/comm", "读取 /proc/{pid}/comm 失败"))?;
    let comm = String::from_utf8_lossy(&comm)
        .trim_end_matches('\n')
        .to_string();
    let truncated = comm.len() < name.len();
    let cut = if truncated {
        tr!(
            " (truncated: the kernel keeps 15 bytes)",
            "（被截断了：内核只保留 15 个字节）"
        )
    } else {
        String::new()
    };
    say(Side::Kernel, format!("/proc/{pid}/comm = {comm:?}{cut}"));
    let ps = ps_line(pid);
    if let Some(ps) = &ps {
        say(Side::Kernel, format!("ps -o pid,ppid,stat,comm: {ps}"));
    }

    send(&down.write, b"x")?;
    let status = child.join()?;
    say(Side::Parent, format!("p.join() → {}", describe(status)));
    match python_names(name)? {
        Some(py) => say(Side::Note, tr!(
            "Python, for comparison: current_process().name = {:?} but its /proc/self/comm = {:?} — the Python name is invisible to the OS",
            "对照 Python：current_process().name = {:?}，但它的 /proc/self/comm = {:?}——Python 里的名字，操作系统根本看不到",
            py.python_name, py.comm)),
        None => say(Side::Note, tr!(
            "python3 not found: skipping the Python comparison",
            "没有找到 python3：跳过与 Python 的对照"
        )),
    }
    Ok(NameReport {
        parent_pid: getpid().as_raw(),
        child_pid: pid,
        child_getpid: ids[0],
        child_getppid: ids[1],
        asked: name.to_string(),
        comm,
        truncated,
        ps,
        status,
    })
}

/// `ps`'s view of one pid, or `None` if `ps` is missing or fails. `ps`
/// runs in the C.UTF-8 locale: in a locale the machine does not have (a
/// learner's `LANG=zh_CN.UTF-8` where only C is installed) it falls back
/// to ASCII and prints a Chinese name as `?`s (procps, escape.c).
fn ps_line(pid: i32) -> Option<String> {
    let out = Command::new("ps")
        .args(["-o", "pid=,ppid=,stat=,comm=", "-p", &pid.to_string()])
        .env("LC_ALL", "C.UTF-8")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// The truncation rule of comm: the first 15 bytes (it may cut a UTF-8
/// character in half; `/proc` then shows the broken bytes).
pub fn comm_of(name: &str) -> Vec<u8> {
    name.as_bytes().iter().copied().take(15).collect()
}

/// What Python itself does with a name: `Process(name=..)` in a forked
/// child, which prints its `current_process().name` and its kernel name.
#[derive(Debug)]
pub struct PythonNames {
    pub python_name: String,
    pub comm: String,
}

/// Runs the course's `Process(target=task, name=...)` under `python3`.
/// `Ok(None)` if `python3` is not installed.
pub fn python_names(name: &str) -> Result<Option<PythonNames>> {
    const SCRIPT: &str = r#"
import sys
from multiprocessing import Process, current_process, set_start_method
def task():
    comm = open('/proc/self/comm').read().strip()
    print(current_process().name, comm, sep='\n', flush=True)
if __name__ == '__main__':
    set_start_method('fork')
    p = Process(target=task, name=sys.argv[1])
    p.start()
    p.join()
"#;
    let Some(mut py) = demo_kit::python::spawn(SCRIPT, &[name.to_string()], Stdio::null())? else {
        return Ok(None);
    };
    // Bounded: a wedged interpreter is killed, never waited for forever.
    let done = demo_kit::wait::until(TIMEOUT, || py.try_wait().ok().flatten());
    if done.is_none() {
        let _ = py.kill();
        let _ = py.wait();
        return demo_kit::bail_msg(tr!(
            "python3 did not finish within {TIMEOUT:?}",
            "python3 在 {TIMEOUT:?} 内没有结束"
        ));
    }
    let out = py
        .wait_with_output()
        .with_context(|| tr!("reading python3's output", "读取 python3 的输出失败"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    match (lines.next(), lines.next()) {
        (Some(n), Some(c)) => Ok(Some(PythonNames {
            python_name: n.to_string(),
            comm: c.to_string(),
        })),
        _ => demo_kit::bail_msg(tr!(
            "unexpected output from python3: {text:?}",
            "python3 的输出不对：{text:?}"
        )),
    }
}
