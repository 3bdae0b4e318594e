//! Isolation first: the lab's own network namespace, never the host's.
//!
//! A network namespace is a network stack of its own: interfaces,
//! addresses, routes, sockets, `/proc/net`. A new one is empty, not a copy
//! of the host's: only a loopback interface, down. The lab creates one
//! with `unshare(CLONE_NEWNET)` and does everything inside it, so the TUN
//! device, the addresses (192.0.2.0/24, TEST-NET-1, reserved for
//! documentation) and every socket vanish when the lab exits. The host's
//! network is never touched.
//!
//! Creating a network namespace needs CAP_SYS_ADMIN. Root has it. A normal
//! user can get it inside a *user* namespace (`unshare -rn` in the shell):
//! `unshare(CLONE_NEWUSER | CLONE_NEWNET)`, allowed only in a
//! single-threaded process, which is why this runs first thing in `main`.
//! Some distributions switch user namespaces off; then only `sudo` helps.

use demo_kit::{tr, Error, Result};
use nix::errno::Errno;
use nix::sched::{unshare, CloneFlags};
use nix::unistd::Uid;

/// Exit status when a privilege is missing (EX_NOPERM from sysexits.h).
pub const NO_PRIVILEGE_EXIT: u8 = 77;

/// Test hook: with this variable set to 1 the lab behaves as if the kernel
/// refused user namespaces, so the "no privilege" path can be tested on a
/// machine where they work.
pub const NO_USERNS_HOOK: &str = "TCP_LAB_NO_USERNS";

/// How the lab got its namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// As root: `unshare(CLONE_NEWNET)`.
    Root,
    /// As a normal user: `unshare(CLONE_NEWUSER | CLONE_NEWNET)`.
    UserNamespace,
}

/// Moves this (single-threaded) process into a fresh network namespace.
pub fn enter() -> Result<How> {
    if Uid::effective().is_root() {
        return match unshare(CloneFlags::CLONE_NEWNET) {
            Ok(()) => Ok(How::Root),
            Err(e) => Err(no_privilege(tr!(
                "unshare(CLONE_NEWNET) failed ({e}) even as root: a container without \
                 CAP_SYS_ADMIN? run the lab on the host, or in a VM", "即使是 root，unshare(CLONE_NEWNET) 也失败了（{e}）：是不是在没有 CAP_SYS_ADMIN 的容器里？\
                 请在宿主机或虚拟机里运行这个实验"
            ))),
        };
    }
    if std::env::var(NO_USERNS_HOOK).is_ok_and(|v| v == "1") {
        return Err(no_userns(
            "refused by the test hook TCP_LAB_NO_USERNS=1".into(),
        ));
    }
    match unshare(CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNET) {
        Ok(()) => Ok(How::UserNamespace),
        Err(e @ (Errno::EPERM | Errno::ENOSPC | Errno::EUSERS | Errno::EACCES)) => Err(no_userns(
            format!("unshare(CLONE_NEWUSER | CLONE_NEWNET) said {e}"),
        )),
        Err(e) => Err(Error::from(e).with_exit_code(1)),
    }
}

fn no_userns(why: String) -> Error {
    no_privilege(tr!(
        "a private network namespace needs root or user namespaces, and this user \
         (uid {}) has neither: {why}. Either run as root: `sudo ./target/debug/tcp-lab` \
         (after `cargo build -p tcp-lab`), or allow unprivileged user namespaces \
         (Debian: `sysctl kernel.unprivileged_userns_clone=1`; Ubuntu 24.04+: \
         `sysctl kernel.apparmor_restrict_unprivileged_userns=0`; elsewhere \
         `user.max_user_namespaces` must be above 0)",
        "私有网络命名空间需要 root 或者用户命名空间，而这个用户（uid {}）两样都没有：{why}。\
         要么以 root 运行：`sudo ./target/debug/tcp-lab`（先 `cargo build -p tcp-lab`），\
         要么允许非特权用户命名空间（Debian：`sysctl kernel.unprivileged_userns_clone=1`；\
         Ubuntu 24.04+：`sysctl kernel.apparmor_restrict_unprivileged_userns=0`；\
         其他系统上 `user.max_user_namespaces` 必须大于 0）",
        Uid::effective()
    ))
}

/// An error that exits with status 77 and says what is missing.
pub fn no_privilege(message: String) -> Error {
    Error::msg(message).with_exit_code(NO_PRIVILEGE_EXIT)
}

/// A second, separate namespace for the calling *thread* only (wire mode
/// needs two kernels). `unshare(CLONE_NEWNET)` may be called from a thread:
/// it moves just that thread; sockets it opens afterwards live there.
pub fn enter_for_this_thread() -> Result<()> {
    unshare(CloneFlags::CLONE_NEWNET)
        .map_err(|e| Error::from(e).with_exit_code(1))
        .map_err(|e| {
            Error::msg(tr!(
                "a second namespace for the wire: unshare(CLONE_NEWNET): {e}",
                "为线路创建第二个命名空间：unshare(CLONE_NEWNET)：{e}"
            ))
        })
}
