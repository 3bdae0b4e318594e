//! `cargo run -p memory-isolation-demo`: 进程间的内存空间是彼此隔离的.
//! A child's `x = 0` stays in the child; a thread's does not; and after
//! `fork` the same address holds two values. See docs/10-memory-isolation.md.

use std::process::ExitCode;

#[cfg(unix)]
fn main() -> ExitCode {
    demo_kit::fail::run(demo::run)
}

#[cfg(not(unix))]
fn main() -> ExitCode {
    println!(
        "memory-isolation-demo uses fork(): this topic needs a Unix system (Linux, macOS, BSD)."
    );
    ExitCode::SUCCESS
}

#[cfg(unix)]
mod demo {
    use demo_kit::cli::Args;
    use demo_kit::say::{say, step};
    use demo_kit::{bail_msg, Result, Side};
    use memory_isolation_demo::pagemap::PageInfo;
    use memory_isolation_demo::{cow, isolation, no_child_left, X};

    const HELP: &str = "\
memory-isolation-demo — 进程间的内存空间是彼此隔离的 (process memory is isolated)

USAGE:
    cargo run -p memory-isolation-demo

Runs three steps and exits: the course's x = 100 example with a child
process, the same change made by a thread, and copy-on-write (the same
address holding two values; Linux also shows the page tables, and the
physical frame numbers when run as root).

OPTIONS:
    -h, --help    this text
";

    pub fn run() -> Result<()> {
        Args::parse(HELP).finish()?;
        course_example()?;
        thread_contrast()?;
        copy_on_write()?;
        if !no_child_left() {
            return bail_msg(
                "a child process was left behind (waitpid(-1, WNOHANG) did not say ECHILD)",
            );
        }
        say(
            Side::Kernel,
            "no child left: waitpid(-1, WNOHANG) says ECHILD — every child was reaped",
        );
        Ok(())
    }

    fn course_example() -> Result<()> {
        step(1, "the course's x = 100: the child sets x = 0");
        say(
            Side::Parent,
            format!(
                "x = 100 (a global at address {:#x}); p.start() = fork()",
                X.addr()
            ),
        );
        let r = isolation::change_in_child(&X)?;
        say(
            Side::Parent,
            format!("p.join() = waitpid({}) -> {:?}", r.child, r.status),
        );
        say(Side::Child, format!(
            "(reported through a pipe) saw x = {}, ran `global x; x = 0`, then x = {}, at address {:#x}",
            r.child_saw, r.child_after, r.child_addr
        ));
        say(Side::Parent, format!("print(x) -> {}", r.parent_after_join));
        say(
            Side::Note,
            if r.parent_after_join == r.before_fork {
                "the child changed its own copy: processes do not share memory"
            } else {
                "unexpected: the parent's x changed"
            },
        );
        Ok(())
    }

    fn thread_contrast() -> Result<()> {
        step(2, "the contrast: a thread sets x = 0");
        let r = isolation::change_in_thread(&X)?;
        say(
            Side::Parent,
            format!("x = {}; thread::spawn(...).join()", r.before),
        );
        say(
            Side::Note,
            format!(
                "the thread saw x = {}, set it, then x = {}, at address {:#x}",
                r.thread_saw, r.thread_after, r.thread_addr
            ),
        );
        say(
            Side::Parent,
            format!(
                "print(x) -> {} (address {:#x})",
                r.parent_after_join, r.parent_addr
            ),
        );
        say(
            Side::Note,
            if r.parent_after_join == r.thread_after {
                "threads share one address space: the thread's x IS the parent's x"
            } else {
                "unexpected: the thread's change was not seen"
            },
        );
        Ok(())
    }

    fn copy_on_write() -> Result<()> {
        step(3, "copy-on-write: the same address, two values");
        let r = cow::copy_on_write(&X, 1)?;
        say(Side::Parent, format!("x = {}", r.at_fork));
        page(Side::Parent, "x's page before fork", r.parent_page_before);
        say(
            Side::Parent,
            format!(
                "fork() -> child {} (held at a pipe gate after one look at its page)",
                r.child
            ),
        );
        page(
            Side::Child,
            "x's page right after fork",
            r.child_page_after_fork,
        );
        say(
            Side::Parent,
            format!(
                "x = {} (written after the fork, while the child waits)",
                r.parent_set
            ),
        );
        page(
            Side::Parent,
            "x's page after its write",
            r.parent_page_after_write,
        );
        say(Side::Parent, "gate opened; p.join()");
        say(
            Side::Child,
            format!(
                "(reported through a pipe) saw x = {} at address {:#x}, then set x = 0",
                r.child_saw, r.child_addr
            ),
        );
        page(
            Side::Child,
            "x's page after its own write",
            r.child_page_after_write,
        );
        say(
            Side::Parent,
            format!(
                "after join: x = {} at address {:#x}; waitpid -> {:?}",
                r.parent_after_join, r.parent_addr, r.status
            ),
        );
        if r.parent_addr == r.child_addr && r.parent_after_join != r.child_saw {
            say(Side::Note, "same virtual address in both processes, different values: each process has its own page table");
        }
        say(
            Side::Note,
            format!(
            "the child saw {} (x at fork time), not the parent's later {}: fork gave it a snapshot",
            r.child_saw, r.parent_set
        ),
        );
        explain_frames(&r);
        Ok(())
    }

    fn page(side: Side, what: &str, info: Option<PageInfo>) {
        let Some(p) = info else { return };
        let frame = p
            .frame
            .map_or("hidden (needs root)".to_string(), |f| format!("{f:#x}"));
        let sharing = if p.exclusive {
            "exclusive to this process"
        } else {
            "shared with another process"
        };
        say(
            side,
            format!("/proc/self/pagemap: {what}: {sharing}, physical frame {frame}"),
        );
    }

    fn explain_frames(r: &cow::CowRun) {
        if r.child_page_after_fork.is_none() {
            say(
                Side::Note,
                "no /proc/self/pagemap here (Linux only): page tables not shown",
            );
            return;
        }
        let frame = |p: Option<PageInfo>| p.and_then(|p| p.frame);
        let before = frame(r.parent_page_before);
        let shared = frame(r.child_page_after_fork);
        let parent_copy = frame(r.parent_page_after_write);
        let child_final = frame(r.child_page_after_write);
        let (Some(before), Some(shared), Some(parent_copy)) = (before, shared, parent_copy) else {
            say(
                Side::Note,
                "physical frames are hidden from non-root users; the shared/exclusive flag still shows the copy",
            );
            return;
        };
        let same = if shared == before {
            "the same frame"
        } else {
            "NOT the same frame"
        };
        say(
            Side::Note,
            format!("after fork both processes mapped frame {before:#x} ({same}): fork did not copy this page"),
        );
        say(
            Side::Note,
            format!("the parent's first write got it a copy, frame {parent_copy:#x}: that is copy-on-write"),
        );
        if child_final == Some(before) {
            say(
                Side::Note,
                "the child, by then the page's only user, wrote in place: no second copy was needed",
            );
        }
    }
}
