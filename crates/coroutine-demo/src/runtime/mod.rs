//! A runtime for `async fn`, in plain sight: a task queue, wakers, `spawn`,
//! `block_on`, and a reactor on `epoll` ([`reactor`]).
//!
//! `async`/`await` only *saves the state*: the compiler turns an `async fn`
//! into a state machine whose `poll` runs it to its next `.await` and
//! returns `Pending` if it cannot go on. Someone must decide what to run
//! next and when to run it again: the *switch*. That is a runtime, and this
//! is all of one:
//!
//! * every task is a boxed future in a slot of `tasks`; the *ready queue*
//!   holds the numbers of the tasks that can make progress;
//! * a task's [`Waker`] (built on [`std::task::Wake`]) pushes its number
//!   onto the ready queue; whoever can make the task progress calls it;
//! * [`Runtime::block_on`] polls the ready tasks one after another; when
//!   none is ready, it sleeps in `epoll_wait` until the kernel says a
//!   socket is ready, and the reactor calls exactly the wakers that were
//!   registered for that socket.
//!
//! One thread, no locks held across a poll, no `futures` crate. Python's
//! `asyncio` is the same design (Lib/asyncio/base_events.py: `_ready`, a
//! deque of callbacks, and `_run_once`, which calls `selector.select`).

mod join;
pub mod net;
mod reactor;
mod trace;

use join::Join;
pub use join::{yield_now, JoinHandle};
pub use reactor::Dir;
pub use trace::{Event, Stats};

use reactor::Reactor;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Wake, Waker};
use trace::Kind;

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// What a waker may touch: wakers are `Send + Sync` and may be called from
/// any thread, so this part is behind a lock.
struct Shared {
    ready: Mutex<VecDeque<usize>>,
    /// True while the runtime sleeps in `epoll_wait`: a wake must then
    /// also poke the reactor's eventfd, or nobody would look at the queue.
    sleeping: AtomicBool,
    poke: nix::sys::eventfd::EventFd,
}

/// One task's waker: "task `id` can make progress".
struct TaskWaker {
    id: usize,
    queued: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if self.queued.swap(true, SeqCst) {
            return; // already in the queue
        }
        self.shared
            .ready
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(self.id);
        if self.shared.sleeping.load(SeqCst) {
            let _ = self.shared.poke.write(1); // another thread woke us: end epoll_wait
        }
    }
}

struct Slot {
    name: Rc<str>,
    future: Option<Task>,
    waker: Arc<TaskWaker>,
}

struct Inner {
    tasks: RefCell<Vec<Option<Slot>>>,
    free: RefCell<Vec<usize>>,
    shared: Arc<Shared>,
    reactor: Reactor,
    /// The task being polled (for the reactor's record of who waits).
    current: Cell<usize>,
    /// How long to wait when no task is ready and no socket is registered.
    stall: Cell<std::time::Duration>,
    trace: trace::Trace,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Inner>>> = const { RefCell::new(None) };
}

/// The runtime of the thread that is inside [`Runtime::block_on`].
fn with_current<T>(f: impl FnOnce(&Rc<Inner>) -> T) -> T {
    CURRENT.with(|c| match c.borrow().as_ref() {
        Some(inner) => f(inner),
        None => panic!("coroutine_demo::runtime: used outside Runtime::block_on"),
    })
}

/// A single-threaded runtime. Create one per thread that runs tasks.
pub struct Runtime {
    inner: Rc<Inner>,
}

impl Runtime {
    pub fn new() -> io::Result<Runtime> {
        use nix::sys::eventfd::{EfdFlags, EventFd};
        let poke = EventFd::from_flags(EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK)?;
        let reactor = Reactor::new(&poke)?;
        let shared = Arc::new(Shared {
            ready: Mutex::new(VecDeque::with_capacity(64)),
            sleeping: AtomicBool::new(false),
            poke,
        });
        let inner = Inner {
            tasks: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
            shared,
            reactor,
            current: Cell::new(0),
            stall: Cell::new(std::time::Duration::from_secs(10)),
            trace: trace::Trace::default(),
        };
        Ok(Runtime {
            inner: Rc::new(inner),
        })
    }

    /// Prints every poll, `Pending`, `epoll_wait` and wake as it happens.
    pub fn narrate(&self, on: bool) {
        self.inner.trace.narrate.set(on);
    }

    /// When every task is `Pending` and no socket is registered, only
    /// another thread could wake a task: `block_on` gives up after this
    /// long (default 10 s) with an error, instead of sleeping for ever.
    pub fn give_up_after(&self, stall: std::time::Duration) {
        self.inner.stall.set(stall);
    }

    /// Keeps every event in memory, for [`Runtime::events`] (tests).
    pub fn record(&self, on: bool) {
        self.inner.trace.record.set(on);
    }

    pub fn events(&self) -> Vec<Event> {
        self.inner.trace.events.borrow().clone()
    }

    /// How many polls, `Pending`s, `epoll_wait`s and wakes so far.
    pub fn stats(&self) -> Stats {
        self.inner.trace.stats.get()
    }

    /// Runs `main` (as task 0, "main") and every task it spawns on this
    /// thread until `main` finishes; the tasks still running are dropped.
    /// An error only if epoll fails, or if no task can ever be woken.
    pub fn block_on<F: Future + 'static>(&self, main: F) -> io::Result<F::Output> {
        let _enter = Enter::new(&self.inner)?;
        let handle = spawn_on(&self.inner, "main", main);
        loop {
            while let Some(id) = self.inner.pop() {
                self.inner.poll_task(id);
                if let Some(out) = handle.take() {
                    return Ok(out);
                }
            }
            // Nothing ready: sleep until a socket is (or another thread wakes a task).
            self.inner.shared.sleeping.store(true, SeqCst);
            let empty = self.inner.ready_len() == 0;
            if empty {
                let (trace, sleeping) = (&self.inner.trace, &self.inner.shared.sleeping);
                let woken = self
                    .inner
                    .reactor
                    .wait(trace, sleeping, self.inner.stall.get())?;
                if woken.is_none() {
                    return Err(io::Error::other(
                        "every task is Pending and none can be woken: no socket is registered \
                         and nothing woke a task in time (a future returned Pending without \
                         keeping its waker?)",
                    ));
                }
            }
            self.inner.shared.sleeping.store(false, SeqCst);
        }
    }
}

impl Inner {
    fn pop(&self) -> Option<usize> {
        let mut ready = self.shared.ready.lock().unwrap_or_else(|e| e.into_inner());
        ready.pop_front()
    }

    fn ready_len(&self) -> usize {
        let ready = self.shared.ready.lock().unwrap_or_else(|e| e.into_inner());
        ready.len()
    }

    /// One switch: run task `id` until its next `Pending` (or its end).
    fn poll_task(&self, id: usize) {
        // Take the future out, so that the task may spawn while it runs.
        let (name, future, waker) = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(id).and_then(Option::as_mut) else {
                return; // finished since it was woken
            };
            slot.waker.queued.store(false, SeqCst);
            (slot.name.clone(), slot.future.take(), slot.waker.clone())
        };
        let Some(mut future) = future else { return };
        self.current.set(id);
        self.trace.note(Kind::Poll, || Event::Poll {
            task: id,
            name: name.to_string(),
        });
        let waker = Waker::from(waker);
        if future
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_ready()
        {
            drop(future); // may close sockets: done before we borrow `tasks`
            self.trace.note(Kind::Other, || Event::Ready { task: id });
            self.tasks.borrow_mut()[id] = None;
            self.free.borrow_mut().push(id);
        } else {
            self.trace
                .note(Kind::Pending, || Event::Pending { task: id });
            if let Some(slot) = self.tasks.borrow_mut()[id].as_mut() {
                slot.future = Some(future);
            }
        }
    }
}

/// Sets this thread's current runtime for the length of `block_on`; at the
/// end drops the tasks left (their sockets leave the reactor) and clears it.
struct Enter(Rc<Inner>);

impl Enter {
    fn new(inner: &Rc<Inner>) -> io::Result<Enter> {
        CURRENT.with(|c| {
            let mut c = c.borrow_mut();
            if c.is_some() {
                return Err(io::Error::other("block_on inside block_on on one thread"));
            }
            *c = Some(inner.clone());
            Ok(Enter(inner.clone()))
        })
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        let left: Vec<_> = self.0.tasks.borrow_mut().drain(..).collect();
        drop(left);
        self.0.free.borrow_mut().clear();
        self.0
            .shared
            .ready
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        CURRENT.with(|c| *c.borrow_mut() = None);
    }
}

/// Starts `future` as a new task of the current runtime; `name` is for the
/// narration. Await the handle for its result.
pub fn spawn<F: Future + 'static>(name: &str, future: F) -> JoinHandle<F::Output> {
    with_current(|inner| spawn_on(inner, name, future))
}

fn spawn_on<F: Future + 'static>(inner: &Inner, name: &str, future: F) -> JoinHandle<F::Output> {
    let state = Rc::new(RefCell::new(Join {
        value: None,
        waiter: None,
    }));
    let result = state.clone();
    let task: Task = Box::pin(async move {
        let value = future.await;
        let mut s = result.borrow_mut();
        s.value = Some(value);
        if let Some(w) = s.waiter.take() {
            w.wake();
        }
    });
    let id = inner
        .free
        .borrow_mut()
        .pop()
        .unwrap_or(inner.tasks.borrow().len());
    let waker = Arc::new(TaskWaker {
        id,
        queued: AtomicBool::new(false),
        shared: inner.shared.clone(),
    });
    let slot = Slot {
        name: name.into(),
        future: Some(task),
        waker: waker.clone(),
    };
    let mut tasks = inner.tasks.borrow_mut();
    if id == tasks.len() {
        tasks.push(Some(slot));
    } else {
        tasks[id] = Some(slot);
    }
    drop(tasks);
    inner.trace.note(Kind::Spawn, || Event::Spawn {
        task: id,
        name: name.to_string(),
    });
    waker.wake_by_ref(); // a new task is ready to run
    JoinHandle(state)
}

/// The reactor of the current runtime, for the socket futures in [`net`].
fn register(fd: std::os::fd::RawFd, dir: Dir, op: &'static str, waker: &Waker) -> io::Result<()> {
    with_current(|inner| {
        let task = inner.current.get();
        inner.reactor.register(fd, dir, task, waker)?;
        inner
            .trace
            .note(Kind::Register, || Event::Register { task, fd, op, dir });
        Ok(())
    })
}

/// Whether the last read of `fd` emptied it, with no readable edge since.
fn drained(fd: std::os::fd::RawFd) -> bool {
    with_current(|inner| inner.reactor.drained(fd))
}

fn mark_drained(fd: std::os::fd::RawFd) {
    with_current(|inner| inner.reactor.mark_drained(fd))
}

/// A call on `fd` that went through (for the narration).
fn did_io(fd: std::os::fd::RawFd, op: &'static str, n: usize) {
    CURRENT.with(|c| {
        if let Some(inner) = c.borrow().as_ref().filter(|i| i.trace.on()) {
            inner.trace.note(Kind::Other, || Event::Io {
                task: inner.current.get(),
                fd,
                op,
                n,
            })
        }
    })
}

fn forget(fd: std::os::fd::RawFd) {
    CURRENT.with(|c| {
        if let Some(inner) = c.borrow().as_ref() {
            inner.reactor.forget(fd)
        }
    })
}
