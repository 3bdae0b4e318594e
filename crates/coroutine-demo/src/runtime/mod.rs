//! A runtime for `async fn`, in plain sight: a task queue, wakers, `spawn`,
//! `block_on`, and a reactor on `epoll` ([`reactor`]).
//!
//! `async`/`await` only *saves the state*: the compiler turns an `async fn`
//! into a state machine whose `poll` runs it to its next `.await` and
//! returns `Pending` if it cannot go on. Someone must decide what to run
//! next and when to run it again: the *switch*. That is a runtime, and this
//! is all of one:
//!
//! * every task is a boxed future in a slot of `tasks`, under its number;
//!   the *ready queue*, a channel, carries the numbers of the tasks that
//!   can make progress;
//! * a task's [`Waker`] (built on [`std::task::Wake`]) sends its number
//!   into the ready queue; whoever can make the task progress calls it;
//! * [`Runtime::block_on`] polls the ready tasks one after another; when
//!   none is ready, it sleeps in `epoll_wait` until the kernel says a
//!   socket is ready, and the reactor calls exactly the wakers that were
//!   registered for that socket.
//!
//! One thread, no `futures` crate. Python's
//! `asyncio` is the same design (Lib/asyncio/base_events.py: `_ready`, a
//! deque of callbacks, and `_run_once`, which calls `selector.select`).

mod join;
pub mod net;
mod reactor;
mod trace;

pub use join::{yield_now, JoinHandle};
pub use reactor::Dir;
pub use trace::{Event, Stats};

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::task::{Context, Wake, Waker};

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// One task's waker: "task `id` can make progress". A [`Waker`] must be
/// `Send + Sync`, hence a channel for the ready queue; but only this
/// thread's reactor and tasks wake ours: a wake from another thread would
/// be seen when `epoll_wait` next returns (tokio's reactor has an eventfd
/// in its epoll set for that: mio's `Waker`, src/sys/unix/waker/eventfd.rs).
struct TaskWaker {
    id: usize,
    ready: Sender<usize>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        let _ = self.ready.send(self.id); // fails only once the runtime is gone
    }
}

/// A single-threaded runtime: one per thread that runs tasks.
pub struct Runtime {
    /// The tasks by number, each with its waker; `None` once finished, its
    /// number then in `free` for the next spawn. A late wake of a number
    /// given again only polls that task once more, which futures allow.
    tasks: RefCell<Vec<Option<(Task, Waker)>>>,
    free: RefCell<Vec<usize>>,
    /// The ready queue: wakers send into it, `block_on` receives.
    ready: (Sender<usize>, Receiver<usize>),
    /// The task being polled (for the reactor's record of who waits).
    current: Cell<usize>,
    /// The reactor ([`reactor`]): epoll, and who waits on which socket.
    epoll: nix::sys::epoll::Epoll,
    sockets: RefCell<HashMap<std::os::fd::RawFd, reactor::Waiting>>,
    trace: trace::Trace,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Runtime>>> = const { RefCell::new(None) };
}

/// The runtime of this thread, if it is inside [`Runtime::block_on`]: how
/// `spawn` and the socket futures in [`net`] reach the tasks and the reactor.
fn with_current<T>(f: impl FnOnce(&Runtime) -> T) -> Option<T> {
    CURRENT.try_with(|c| c.borrow().as_deref().map(f)).ok()?
}

impl Runtime {
    /// In an `Rc`: `block_on` lends this thread a clone, through which
    /// `spawn` and the sockets reach the runtime.
    pub fn new() -> io::Result<Rc<Runtime>> {
        use nix::sys::epoll::{Epoll, EpollCreateFlags};
        Ok(Rc::new(Runtime {
            tasks: RefCell::default(),
            ready: channel(),
            free: RefCell::default(),
            current: Cell::new(0),
            epoll: Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?,
            sockets: RefCell::default(),
            trace: trace::Trace::default(),
        }))
    }

    /// Prints every poll, `Pending`, `epoll_wait` and wake as it happens.
    pub fn narrate(&self, on: bool) {
        self.trace.narrate.set(on);
    }

    /// Keeps every event in memory, for [`Runtime::events`] (tests).
    pub fn record(&self, on: bool) {
        self.trace.record.set(on);
    }

    pub fn events(&self) -> Vec<Event> {
        self.trace.events.borrow().clone()
    }

    /// How many polls, `Pending`s, `epoll_wait`s and wakes so far.
    pub fn stats(&self) -> Stats {
        self.trace.stats.get()
    }

    /// Runs `main` (as task 0, "main") and every task it spawns on this
    /// thread until `main` finishes; the tasks still running are dropped.
    /// An error if epoll fails, or if every task waits and no socket is
    /// registered: then nothing on this thread can ever wake a task.
    pub fn block_on<F: Future + 'static>(self: &Rc<Self>, main: F) -> io::Result<F::Output> {
        assert!(with_current(|_| ()).is_none(), "block_on inside block_on");
        CURRENT.with(|c| *c.borrow_mut() = Some(self.clone()));
        let _enter = Enter(self);
        let out = Rc::new(Cell::new(None));
        let main_out = out.clone();
        self.spawn("main", async move { main_out.set(Some(main.await)) });
        loop {
            while let Ok(id) = self.ready.1.try_recv() {
                self.poll(id);
                if let Some(out) = out.take() {
                    return Ok(out);
                }
            }
            self.wait()?; // nothing ready: sleep until a socket is
        }
    }

    /// One switch: run task `id` until its next `Pending` (or its end).
    fn poll(&self, id: usize) {
        // Out of `tasks` while it runs, so that it may spawn.
        let Some((mut task, waker)) = self.tasks.borrow_mut()[id].take() else {
            return; // finished since it was woken
        };
        self.current.set(id);
        self.trace.note(Event::Poll { task: id });
        let mut cx = Context::from_waker(&waker);
        if task.as_mut().poll(&mut cx).is_ready() {
            self.trace.note(Event::Ready { task: id });
            self.free.borrow_mut().push(id);
        } else {
            self.trace.note(Event::Pending { task: id });
            self.tasks.borrow_mut()[id] = Some((task, waker));
        }
    }

    fn spawn<F: Future + 'static>(&self, name: &str, future: F) -> JoinHandle<F::Output> {
        let (handle, task) = join::task(future);
        let mut tasks = self.tasks.borrow_mut();
        let id = self.free.borrow_mut().pop().unwrap_or(tasks.len());
        if id == tasks.len() {
            tasks.push(None);
        }
        let ready = self.ready.0.clone();
        let waker = Waker::from(Arc::new(TaskWaker { id, ready }));
        let name = name.to_string();
        self.trace.note(Event::Spawn { task: id, name });
        waker.wake_by_ref(); // a new task is ready to run
        tasks[id] = Some((Box::pin(task), waker));
        handle
    }
}

/// Ends `block_on`, even when a task panics: drops the tasks left (their
/// sockets leave the reactor), and only then leaves this thread's runtime.
struct Enter<'a>(&'a Runtime);

impl Drop for Enter<'_> {
    fn drop(&mut self) {
        for slot in self.0.tasks.borrow_mut().iter_mut() {
            drop(slot.take()); // its sockets leave the reactor
        }
        CURRENT.with(|c| c.take());
    }
}

/// Starts `future` as a new task of the current runtime; `name` is for the
/// narration. Await the handle for its result.
pub fn spawn<F: Future + 'static>(name: &str, future: F) -> JoinHandle<F::Output> {
    with_current(|rt| rt.spawn(name, future))
        .expect("coroutine_demo::runtime::spawn: used outside Runtime::block_on")
}
