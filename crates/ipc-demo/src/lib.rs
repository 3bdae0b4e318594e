//! `ipc-demo`: the course's IPC机制 (inter-process communication) chapter.
//!
//! Processes do not share memory (the course showed that with `x = 100`:
//! the child's `x = 0` never reaches the parent). So two processes that want
//! to talk need the *kernel* to carry the data. Python's `multiprocessing`
//! hides the kernel objects behind friendly names; this crate shows them,
//! one scenario file each, narrating every call as it happens:
//!
//! | Python `multiprocessing`      | Unix machinery                       | module        |
//! |-------------------------------|--------------------------------------|---------------|
//! | `Pipe(duplex=False)`          | `pipe(2)`: one-way byte stream        | [`pipe`]      |
//! | `Pipe()` (duplex), `Queue`    | `socketpair(2)` + a framing protocol  | [`socketpair`]|
//! | `Value`, `Array`, `shared_memory` | `mmap(MAP_SHARED \| MAP_ANONYMOUS)` | [`shm`]      |
//! | `queue.Queue` (threads only)  | `crossbeam-channel`: *not* IPC        | [`channel`]   |
//!
//! Every scenario follows the fork rules of `demo_kit::child`: children are
//! started with `fork_child` (flush, `fork()`, `_exit`), keep only the
//! descriptors they need (`keep_only_fds`), and are reaped with
//! `reap_or_kill` (a bounded `waitpid`; `SIGKILL` only if a child overstays).

pub mod channel;
pub mod pipe;
pub mod shm;
pub mod socketpair;

use std::time::Duration;

/// How long the demo waits for a child before giving up on it. Generous:
/// the children here finish in milliseconds, but CI machines are busy.
pub const CHILD_TIMEOUT: Duration = Duration::from_secs(20);
