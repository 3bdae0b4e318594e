//! The demo's claims on real processes: a child's write stays in the child,
//! a thread's write is shared, the child sees the fork-time value at the
//! same address, the page is shared after fork and copied on write, every
//! child is reaped.

// The demo told in Chinese: in this binary, so it runs alongside the claims.
#[path = "isolation/lang.rs"]
mod lang;

use demo_kit::procfs;
use demo_kit::testing::skip;
use memory_isolation_demo::pagemap::{decode, encode, PageInfo};
use memory_isolation_demo::{cow, isolation, X};
use nix::sys::wait::WaitStatus;
use std::sync::Mutex;

/// The tests share the one global `X` and run in parallel threads: take
/// turns, or the thread test's write would show up in the process test.
static TURN: Mutex<()> = Mutex::new(());

fn reaped(pid: nix::unistd::Pid) -> bool {
    procfs::is_gone(pid.as_raw())
}

#[test]
fn a_child_write_does_not_reach_the_parent() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    demo_kit::say::set_quiet(true);
    let r = isolation::change_in_child(&X).unwrap();
    assert_eq!(r.status, WaitStatus::Exited(r.child, 0));
    assert_eq!((r.before_fork, r.child_saw, r.child_after), (100, 100, 0));
    assert_eq!(r.parent_after_join, 100);
    assert_eq!(r.parent_addr, r.child_addr);
    assert!(reaped(r.child));
}

#[test]
fn a_thread_write_does() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    demo_kit::say::set_quiet(true);
    let r = isolation::change_in_thread(&X).unwrap();
    assert_eq!((r.before, r.thread_saw, r.thread_after), (100, 100, 0));
    assert_eq!(r.parent_after_join, 0);
    assert_eq!(r.parent_addr, r.thread_addr);
}

#[test]
fn the_child_sees_a_snapshot_at_the_same_address() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    demo_kit::say::set_quiet(true);
    let r = cow::copy_on_write(&X, 7).unwrap();
    assert_eq!(r.status, WaitStatus::Exited(r.child, 0));
    assert_eq!(r.at_fork, 100);
    assert_eq!(
        r.child_saw, 100,
        "the child must see the fork-time value, not the parent's later write"
    );
    assert_eq!(
        r.parent_after_join, 7,
        "the child's x = 0 must not reach the parent"
    );
    assert_eq!(r.parent_addr, r.child_addr);
    assert!(reaped(r.child));
}

#[test]
fn the_page_is_shared_after_fork_and_copied_on_write() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    demo_kit::say::set_quiet(true);
    if memory_isolation_demo::pagemap::page_info(X.addr()).is_none() {
        skip("/proc/self/pagemap is not readable here");
        return;
    }
    let r = cow::copy_on_write(&X, 1).unwrap();
    let child_after_fork = r.child_page_after_fork.expect("child read its pagemap");
    let parent_after = r.parent_page_after_write.expect("parent read its pagemap");
    // Right after fork, before anyone wrote, the page is mapped by both.
    assert!(child_after_fork.present);
    assert!(
        !child_after_fork.exclusive,
        "after fork the page must be shared: {child_after_fork:?}"
    );
    // The parent's write gave it a page of its own.
    assert!(parent_after.exclusive, "{parent_after:?}");
    match (
        r.parent_page_before.and_then(|p| p.frame),
        child_after_fork.frame,
        parent_after.frame,
    ) {
        (Some(before), Some(child), Some(after)) => {
            assert_eq!(before, child, "fork must not copy the page");
            assert_ne!(before, after, "the parent's write must copy the page");
        }
        _ => skip(
            "physical frame numbers hidden (needs CAP_SYS_ADMIN): checked the shared/exclusive bit only",
        ),
    }
}

#[test]
fn page_info_survives_the_pipe() {
    for info in [
        None,
        Some(PageInfo {
            present: true,
            exclusive: false,
            frame: Some(0x153be0),
        }),
        Some(PageInfo {
            present: true,
            exclusive: true,
            frame: None,
        }),
    ] {
        assert_eq!(decode(encode(info)), info);
    }
}

fn run_demo(args: &[&str]) -> (i32, String, String) {
    demo_kit::testing::run_demo(env!("CARGO_BIN_EXE_memory-isolation-demo"), args)
}

#[test]
fn the_demo_tells_the_course_story_and_leaves_no_child() {
    let (code, out, err) = run_demo(&[]);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    let after_child = out.find("[parent] print(x) -> 100").expect(&out);
    let after_thread = out.find("[parent] print(x) -> 0").expect(&out);
    assert!(after_child < after_thread, "{out}");
    assert!(out.contains("saw x = 100 at address"), "{out}");
    // The conclusions the notes draw, each printed only when the numbers
    // above bear it out.
    for note in [
        "[note] the child changed its own copy: processes do not share memory",
        "[note] threads share one address space: the thread's x IS the parent's x",
        "[note] same virtual address in both processes, different values: each process has its own page table",
    ] {
        assert!(out.contains(note), "missing {note:?} in:\n{out}");
    }
    assert!(
        out.contains("no child left: waitpid(-1, WNOHANG) says ECHILD"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "NO_COLOR must disable colours");
}

#[test]
fn help_prints_usage() {
    let (code, out, _) = run_demo(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("USAGE"), "{out}");
}

#[test]
fn an_unknown_argument_is_refused_without_a_panic() {
    let (code, _, err) = run_demo(&["--bogus"]);
    assert_eq!(code, 1);
    assert_eq!(err, "error: unexpected argument \"--bogus\"; see --help\n");
}

/// Runs the demo under `setpriv` with `how` (as root only: dropping
/// privileges needs them). `None` when it cannot be run that way here.
fn run_demo_as(how: &[&str]) -> Option<String> {
    if !nix::unistd::geteuid().is_root() {
        skip("not root, cannot drop privileges to compare");
        return None;
    }
    let bin = env!("CARGO_BIN_EXE_memory-isolation-demo");
    let args: Vec<&str> = how.iter().copied().chain([bin]).collect();
    let (code, out, err) = demo_kit::testing::run_demo("setpriv", &args);
    if code != 0 && (err.contains("Permission denied") || err.contains("setpriv:")) {
        skip(&format!(
            "setpriv {how:?} could not run the demo here: {err}"
        ));
        return None;
    }
    assert_eq!(code, 0, "{out}\n{err}");
    Some(out)
}

/// The lesson's correction of "root only": it is the capability that
/// counts. Root with CAP_SYS_ADMIN dropped sees no frame numbers.
#[test]
fn root_without_cap_sys_admin_sees_no_frame_numbers() {
    let drop_it = ["--inh-caps=-sys_admin", "--bounding-set=-sys_admin"];
    let Some(out) = run_demo_as(&drop_it) else {
        return;
    };
    assert!(
        out.contains("physical frame hidden (needs CAP_SYS_ADMIN)"),
        "{out}"
    );
    assert!(!out.contains("physical frame 0x"), "{out}");
}

#[test]
fn a_normal_user_sees_the_shared_bit_but_no_frame_numbers() {
    let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];
    let Some(out) = run_demo_as(&nobody) else {
        return;
    };
    assert!(
        out.contains("right after fork: shared with another process, physical frame hidden"),
        "{out}"
    );
}

#[test]
fn with_cap_sys_admin_the_frames_show_fork_shares_and_the_write_copies() {
    let caps = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let eff = caps
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .map(str::trim);
    let has_sys_admin = eff
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .is_some_and(|bits| bits & (1 << 21) != 0); // CAP_SYS_ADMIN = 21
    if !has_sys_admin {
        skip("this test process has no CAP_SYS_ADMIN");
        return;
    }
    let (code, out, err) = run_demo(&[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("(the same frame): fork did not copy this page"),
        "{out}"
    );
    assert!(out.contains("that is copy-on-write"), "{out}");
    // The original page, now mapped by the child alone, is reused in place
    // on its write (mm/memory.c, do_wp_page: wp_can_reuse_anon_folio).
    assert!(
        out.contains("the child, by then the page's only user, wrote in place"),
        "{out}"
    );
}

/// An anonymous page that was never touched has no frame yet: pagemap's
/// "present" bit (63) is clear until the first write faults it in
/// (Documentation/admin-guide/mm/pagemap.rst).
#[test]
fn an_untouched_page_is_not_present_until_written() {
    // A fork by another test (they run in parallel threads) between the
    // write and the second look would share the page with its child and
    // clear the exclusive bit: take turns with them.
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    use nix::sys::mman::{mmap_anonymous, munmap, MapFlags, ProtFlags};
    use std::num::NonZeroUsize;
    let len = NonZeroUsize::new(4096).unwrap();
    // SAFETY: a fresh private anonymous mapping, unmapped below.
    let page = unsafe {
        mmap_anonymous(
            None,
            len,
            ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
            MapFlags::MAP_PRIVATE,
        )
    }
    .expect("mmap");
    let addr = page.as_ptr() as usize;
    let Some(before) = memory_isolation_demo::pagemap::page_info(addr) else {
        skip("/proc/self/pagemap is not readable here");
        return;
    };
    // SAFETY: the mapping is ours, writable and 4096 bytes long.
    unsafe { page.cast::<u8>().as_ptr().write_volatile(1) };
    let after = memory_isolation_demo::pagemap::page_info(addr).expect("pagemap");
    // SAFETY: unmapping what we mapped; nothing points into it any more.
    unsafe { munmap(page, len.get()) }.expect("munmap");
    assert!(!before.present, "untouched: {before:?}");
    assert!(after.present, "written: {after:?}");
    assert!(after.exclusive, "a page only we ever mapped: {after:?}");
}
