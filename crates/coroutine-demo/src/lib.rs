//! `coroutine-demo`: 协程 (coroutines), the program switching and saving the
//! state itself, in one thread.
//!
//! The notes define concurrency as 切换+保存状态: switch, and save the state.
//! Lessons 08–18 show the kernel doing both, for processes and threads.
//! Here the program does it:
//!
//! * [`handwritten`]: the saved state written out as an `enum` and a
//!   `match`, then the same as an `async fn`, whose state machine the
//!   compiler writes (and [`std::mem::size_of_val`] measures);
//! * [`stackful`]: two coroutines with their own stacks, switched with
//!   glibc's `swapcontext` (what greenlet does for Python);
//! * [`switch`]: what one switch costs: process, thread, `swapcontext`,
//!   future;
//! * [`runtime`]: a whole runtime in plain sight: a task queue, wakers,
//!   `spawn`, `block_on`, and a reactor on `epoll`; [`runtime::net`] its
//!   sockets;
//! * [`echo`]: an echo server whose per-connection code reads like the
//!   thread-per-connection one, on one thread; [`two_clients`] narrates it;
//! * [`cpu`]: computation gains nothing from coroutines;
//! * [`python`]: generators, greenlet, gevent and asyncio, side by side.

pub mod cpu;
pub mod echo;
pub mod echo_run;
pub mod handwritten;
pub mod python;
pub mod runtime;
#[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
pub mod stackful;
pub mod switch;
pub mod syscount;
pub mod two_clients;
