//! Steps 1 and 3–6: the Linux-only parts (`/proc`, `waitid(WNOWAIT)`,
//! `prctl`), narrated from the facts the library returns.

use super::*;
use demo_kit::say::colors_enabled;
use join_terminate_demo::{alive, join, names, orphan};

pub fn all(o: &Options) -> Result<()> {
    let color = colors_enabled();
    step(1, "join = waitpid: first a zombie, then reaped");
    join_step(o.exit_code, color)?;
    step(2, "terminate = kill(SIGTERM)");
    terminate_step()?;
    step(3, "is_alive = waitpid(WNOHANG), not kill(pid, 0)");
    alive_step()?;
    step(4, "os.getpid / os.getppid / current_process().name");
    names_step(&o.name)?;
    step(5, "an orphan: the parent exits first");
    orphan_step(o.subreaper, color)?;
    step(6, "nothing left behind");
    leftovers()
}

fn join_step(code: i32, color: bool) -> Result<()> {
    say(Side::Parent, "p.start() → fork()");
    let r = join::zombie_then_join(code, color)?;
    say(
        Side::Kernel,
        format!(
            "waitid({}, WEXITED | WNOWAIT) = {}: it has exited; WNOWAIT left it unreaped",
            r.pid,
            describe(r.peeked)
        ),
    );
    match r.state_before_join {
        Some('Z') => say(Side::Kernel, format!(
            "/proc/{}/stat: state Z — a zombie (comm {:?}; `ps` shows <defunct>): memory freed, exit status kept for the parent",
            r.pid, r.comm_before_join.as_deref().unwrap_or("?"))),
        other => say(Side::Kernel, format!("/proc/{}/stat: state {other:?} (expected Z)", r.pid)),
    }
    say(
        Side::Parent,
        format!(
            "p.join() → waitpid({}) = {}; Python's p.exitcode = {}",
            r.pid,
            describe(r.status),
            py(r.exitcode)
        ),
    );
    say(
        Side::Kernel,
        if r.gone_after_join {
            format!("/proc/{}: gone — join reaped the zombie", r.pid)
        } else {
            format!("/proc/{}: still there (unexpected)", r.pid)
        },
    );
    Ok(())
}

fn alive_step() -> Result<()> {
    let r = alive::alive_probes()?;
    let show = |when: &str, p: &alive::Probe| {
        say(
            Side::Kernel,
            format!(
                "{when:<8} /proc state {:<4} kill({}, 0) {:<7} is_alive() {}",
                p.proc_state.map_or("gone".to_string(), |c| c.to_string()),
                r.pid,
                if p.kill0_ok { "ok" } else { "ESRCH" },
                match p.is_alive {
                    Some(true) => "True",
                    Some(false) => "False",
                    None => "-",
                },
            ),
        );
    };
    show("running", &r.running);
    show("zombie", &r.zombie);
    show("reaped", &r.reaped);
    if r.zombie.kill0_ok {
        say(Side::Note, "kill(pid, 0) succeeded on the zombie: it tests \"the pid exists\", not \"the program runs\" — the wrong test");
    }
    if let Some(s) = r.status {
        say(Side::Note, format!("the is_alive() on the zombie was a waitpid(WNOHANG) that returned {} — it reaped it, as Python's does", describe(s)));
    }
    Ok(())
}

fn names_step(name: &str) -> Result<()> {
    let r = names::name_the_child(name)?;
    say(
        Side::Parent,
        format!(
            "os.getpid() = {}; fork() returned {}",
            r.parent_pid, r.child_pid
        ),
    );
    say(
        Side::Child,
        format!(
            "(through the pipe) os.getpid() = {}, os.getppid() = {}",
            r.child_getpid, r.child_getppid
        ),
    );
    say(
        Side::Child,
        format!("(through the pipe) prctl(PR_SET_NAME, {:?}) done", r.asked),
    );
    say(
        Side::Kernel,
        format!(
            "/proc/{}/comm = {:?}{}",
            r.child_pid,
            r.comm,
            if r.comm.len() < r.asked.len() {
                " (truncated: the kernel keeps 15 bytes)"
            } else {
                ""
            }
        ),
    );
    if let Some(ps) = &r.ps {
        say(Side::Kernel, format!("ps -o pid,ppid,stat,comm: {ps}"));
    }
    say(Side::Parent, format!("p.join() → {}", describe(r.status)));
    match names::python_names(name)? {
        Some(py) => say(Side::Note, format!(
            "Python, for comparison: current_process().name = {:?} but its /proc/self/comm = {:?} — the Python name is invisible to the OS",
            py.python_name, py.comm)),
        None => say(Side::Note, "python3 not found: skipping the Python comparison"),
    }
    Ok(())
}

fn orphan_step(subreaper: bool, color: bool) -> Result<()> {
    if subreaper {
        say(
            Side::Parent,
            "prctl(PR_SET_CHILD_SUBREAPER, 1): orphans below me come to me, not to init",
        );
    }
    let r = orphan::orphan(subreaper, color)?;
    say(
        Side::Child,
        format!(
            "(through the pipe) orphan {}: getppid() = {} (its parent)",
            r.orphan_pid, r.ppid_before
        ),
    );
    say(
        Side::Parent,
        format!(
            "parent {} exited without joining; I joined it: {}",
            r.parent_pid,
            describe(r.parent_status)
        ),
    );
    let who = match &r.new_parent {
        orphan::NewParent::Us => "this demo (the subreaper)".to_string(),
        orphan::NewParent::Init { comm } => {
            format!("pid 1 ({comm}), init of this pid namespace")
        }
        orphan::NewParent::Subreaper { pid, comm } => {
            format!("pid {pid} ({comm}), the nearest subreaper above us")
        }
    };
    say(
        Side::Kernel,
        format!(
            "/proc/{}/stat ppid = {} → re-parented to {who}",
            r.orphan_pid, r.ppid_in_proc
        ),
    );
    say(
        Side::Child,
        format!(
            "(through the pipe) orphan: getppid() now = {}",
            r.ppid_after
        ),
    );
    match (r.orphan_status, r.orphan_gone) {
        (Some(s), _) => say(Side::Parent, format!("waitpid({}) on a process I never forked = {}: I reaped the orphan", r.orphan_pid, describe(s))),
        (None, true) => say(Side::Kernel, format!("pid {} is gone: its new parent reaped it", r.orphan_pid)),
        (None, false) => say(Side::Note, format!("pid {} is still a zombie: its new parent does not reap (run without --no-subreaper to avoid this)", r.orphan_pid)),
    }
    Ok(())
}

fn leftovers() -> Result<()> {
    let left = orphan::children_of(nix::unistd::getpid().as_raw());
    if left.is_empty() {
        say(
            Side::Kernel,
            "/proc: no process has this demo as its parent — every child was reaped",
        );
        Ok(())
    } else {
        Err(Error::msg(format!("children left behind: {left:?}")))
    }
}
