//! Stackful coroutines, like greenlet: each has its own stack, and a
//! switch saves the registers of one and loads those of the other.
//!
//! glibc's `getcontext`/`makecontext`/`swapcontext` (getcontext(3),
//! makecontext(3)) do exactly that: `makecontext` points a `ucontext_t` at a
//! function and a stack we allocated; `swapcontext(&mut from, &to)` stores
//! the callee-saved registers, the stack pointer, the return address and
//! the signal mask into `from`, and loads `to`'s. Nothing else is saved,
//! because nothing else is needed: the rest of the state *is* the stack.
//! (glibc's x86_64 swapcontext.S also makes one `rt_sigprocmask` system
//! call per switch, to save and restore the signal mask: [`crate::switch`]
//! counts it.) greenlet does the same for Python with its own assembly
//! (src/greenlet/platform/switch_amd64_unix.h), copying stack slices instead
//! of giving each greenlet a fixed stack.
//!
//! A producer and a consumer take turns, as in [`crate::handwritten`]; the
//! report shows where each one's local variable lives (its own stack) and
//! the registers the other found saved.

use nix::libc::{self, ucontext_t, REG_RIP, REG_RSP};
use std::cell::Cell;
use std::io;
use std::time::{Duration, Instant};

/// Each coroutine's stack. Far more than these two need.
pub const STACK: usize = 256 * 1024;
const PAGE: usize = 4096;

/// One turn: who ran, the item, and the address of one of its locals.
#[derive(Clone, Copy, Debug)]
pub struct Turn {
    pub who: &'static str,
    pub item: u64,
    pub local_at: usize,
}

/// Registers read from a `ucontext_t` after its coroutine switched away.
#[derive(Clone, Copy, Debug)]
pub struct Saved {
    /// The stack pointer: inside that coroutine's own stack.
    pub rsp: usize,
    /// Where it resumes: just after its call to `swapcontext`.
    pub rip: usize,
}

#[derive(Debug)]
pub struct Report {
    pub turns: Vec<Turn>,
    /// `[low, high)` of the producer's and the consumer's stacks.
    pub stacks: [(usize, usize); 2],
    /// The producer's registers as the consumer found them saved.
    pub producer_saved: Saved,
    /// The consumer's, as `main` found them at the end.
    pub consumer_saved: Saved,
    /// Where the two entry functions' code starts: each saved `rip` points
    /// a little after its own.
    pub code: [usize; 2],
    pub switches: u64,
    pub elapsed: Duration,
}

struct Shared {
    main: ucontext_t,
    producer: ucontext_t,
    consumer: ucontext_t,
    item: u64,
    n: u64,
    record: bool,
    turns: Vec<Turn>,
    producer_saved: Option<Saved>,
    switches: u64,
}

thread_local! {
    static SHARED: Cell<*mut Shared> = const { Cell::new(std::ptr::null_mut()) };
}

fn saved(ctx: &ucontext_t) -> Saved {
    let g = &ctx.uc_mcontext.gregs;
    Saved {
        rsp: g[REG_RSP as usize] as usize,
        rip: g[REG_RIP as usize] as usize,
    }
}

extern "C" fn producer_entry() {
    let s = SHARED.with(Cell::get);
    // SAFETY: `s` points at the `Shared` of `run`, alive until main resumes;
    // only one of the three contexts runs at a time.
    unsafe {
        for i in 0..(*s).n {
            let local = i; // lives on the producer's stack
            if (*s).record {
                let at = std::ptr::addr_of!(local) as usize;
                (*s).turns.push(Turn {
                    who: "producer",
                    item: i,
                    local_at: at,
                });
            }
            (*s).item = local;
            (*s).switches += 1;
            // Save our registers in `producer`, load `consumer`'s. (It fails
            // only for a bad pointer: ours are not.)
            libc::swapcontext(&mut (*s).producer, &(*s).consumer);
        }
    } // returning resumes uc_link: main
}

extern "C" fn consumer_entry() {
    let s = SHARED.with(Cell::get);
    // SAFETY: as in producer_entry.
    unsafe {
        loop {
            let got = (*s).item; // lives on the consumer's stack
            if (*s).record {
                let at = std::ptr::addr_of!(got) as usize;
                (*s).turns.push(Turn {
                    who: "consumer",
                    item: got,
                    local_at: at,
                });
                (*s).producer_saved.get_or_insert(saved(&(*s).producer));
            }
            (*s).switches += 1;
            libc::swapcontext(&mut (*s).consumer, &(*s).producer);
        }
    }
}

/// A stack from `mmap`, with an inaccessible guard page below it: an
/// overflow is a SIGSEGV, not a silent overwrite.
struct Stack {
    base: *mut libc::c_void,
    len: usize,
}

impl Stack {
    fn new(size: usize) -> io::Result<Stack> {
        let len = size + PAGE;
        let (prot, flags) = (
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
        );
        // SAFETY: a fresh anonymous mapping; we own it until Drop.
        let base = unsafe { libc::mmap(std::ptr::null_mut(), len, prot, flags, -1, 0) };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let stack = Stack { base, len };
        // SAFETY: the first page of our own mapping.
        if unsafe { libc::mprotect(base, PAGE, libc::PROT_NONE) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(stack)
    }
    fn usable(&self) -> (usize, usize) {
        (self.base as usize + PAGE, self.base as usize + self.len)
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: our mapping, no context runs on it any more.
        unsafe { libc::munmap(self.base, self.len) };
    }
}

fn prepare(
    ctx: *mut ucontext_t,
    stack: &Stack,
    link: *mut ucontext_t,
    f: extern "C" fn(),
) -> io::Result<()> {
    // SAFETY: `ctx` points into a live `Shared`; `stack` outlives the run.
    unsafe {
        if libc::getcontext(ctx) != 0 {
            return Err(io::Error::last_os_error());
        }
        let (low, high) = stack.usable();
        (*ctx).uc_stack.ss_sp = low as *mut libc::c_void;
        (*ctx).uc_stack.ss_size = high - low;
        (*ctx).uc_link = link;
        libc::makecontext(ctx, f, 0);
    }
    Ok(())
}

/// Producer and consumer take `n` turns each (`2n` switches, plus the two
/// from and back to main). `record`: keep each turn (else only time it).
pub fn run(n: u64, record: bool) -> io::Result<Report> {
    let stacks = [Stack::new(STACK)?, Stack::new(STACK)?];
    // SAFETY: ucontext_t is plain data; getcontext fills it in.
    let zero = || unsafe { std::mem::zeroed::<ucontext_t>() };
    let mut shared = Box::new(Shared {
        main: zero(),
        producer: zero(),
        consumer: zero(),
        item: 0,
        n,
        record,
        turns: Vec::with_capacity(if record { 2 * n as usize } else { 0 }),
        producer_saved: None,
        switches: 0,
    });
    let s: *mut Shared = &mut *shared;
    // SAFETY: the fields live in the box until the end of this function.
    unsafe {
        prepare(
            &mut (*s).producer,
            &stacks[0],
            &mut (*s).main,
            producer_entry,
        )?;
        prepare(
            &mut (*s).consumer,
            &stacks[1],
            &mut (*s).main,
            consumer_entry,
        )?;
    }
    SHARED.with(|c| c.set(s));
    let t = Instant::now();
    // SAFETY: as above; we come back here when the producer returns.
    unsafe { libc::swapcontext(&mut (*s).main, &(*s).producer) };
    let elapsed = t.elapsed();
    SHARED.with(|c| c.set(std::ptr::null_mut()));
    let fallback = saved(&shared.producer);
    Ok(Report {
        turns: std::mem::take(&mut shared.turns),
        stacks: [stacks[0].usable(), stacks[1].usable()],
        producer_saved: shared.producer_saved.unwrap_or(fallback),
        consumer_saved: saved(&shared.consumer),
        code: [
            producer_entry as *const () as usize,
            consumer_entry as *const () as usize,
        ],
        switches: shared.switches,
        elapsed,
    })
}
