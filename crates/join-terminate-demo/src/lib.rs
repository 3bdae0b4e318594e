//! The course's "进程的方法与属性" (a process's methods and attributes), shown
//! with the Unix calls underneath Python's `multiprocessing`:
//!
//! * [`process`]: the parent's handle for a child — `start` = `fork`,
//!   `join` = `waitpid`, `is_alive` = `waitpid(WNOHANG)`,
//!   `terminate` = `kill(SIGTERM)`, `exitcode` = the decoded wait status;
//! * [`pipe`]: one-byte messages between parent and child, instead of sleeps;
//! * [`join`]: the zombie a `join` collects, seen in `/proc` before and gone after;
//! * [`terminate`]: SIGTERM obeyed, handled, refused, ignored — and SIGKILL;
//! * [`alive`]: `is_alive` versus the wrong test `kill(pid, 0)`;
//! * [`names`]: `getpid`, `getppid`, and the name the kernel knows (`prctl`);
//! * [`orphan`]: a child outliving its parent, re-parented;
//! * [`leftovers`]: no child of ours is left in `/proc`.
//!
//! Each scenario runs real processes, narrates every call as it returns
//! (quiet under `demo_kit::say::set_quiet`), and returns what it observed as
//! data for the tests; `main.rs` is the list of steps.
//!
//! Portability: `process`, `pipe` and `terminate` are plain POSIX (any Unix). The
//! rest needs Linux: `/proc`, `waitid(WNOWAIT)`, `prctl`. On other systems
//! those modules do not exist and the demo says so.

#[cfg(target_os = "linux")]
pub mod alive;
#[cfg(target_os = "linux")]
pub mod join;
#[cfg(target_os = "linux")]
pub mod leftovers;
#[cfg(target_os = "linux")]
pub mod names;
#[cfg(target_os = "linux")]
pub mod orphan;
#[cfg(unix)]
pub mod pipe;
#[cfg(unix)]
pub mod process;
#[cfg(unix)]
pub mod terminate;
