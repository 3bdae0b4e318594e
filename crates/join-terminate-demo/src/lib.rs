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
//! Linux only, like the whole course: `process`, `pipe` and `terminate`
//! are plain POSIX, the rest needs `/proc`, `waitid(WNOWAIT)` and `prctl`.

pub mod alive;
pub mod join;
pub mod leftovers;
pub mod names;
pub mod orphan;
pub mod pipe;
pub mod process;
pub mod terminate;
