//! The lesson's claims, each on the real kernel.

// A peer's FIN that came with its last bytes: in this binary, with the rest.
#[path = "claims/fin.rs"]
mod fin;

// What a switch and a stack cost, as the table and step 2 say.
#[path = "claims/costs.rs"]
mod costs;

use coroutine_demo::runtime::{Dir, Event, Runtime};
use coroutine_demo::{cpu, echo_run, handwritten, switch, two_clients};

fn quiet() {
    demo_kit::say::set_quiet(true);
}

#[test]
fn the_enum_and_the_async_fn_alternate_like_the_generator() {
    quiet();
    let expected: handwritten::Log = (0..3)
        .flat_map(|i| [("produce", i), ("consume", i)])
        .collect();
    assert_eq!(handwritten::by_hand(3), expected);
    // The hand-written frame keeps the consumer's locals between sends,
    // and refuses a send before `next(g)`, as Python does.
    let mut g = handwritten::Consumer::Created;
    assert_eq!(g.send(1), None);
    g.start();
    assert_eq!((g.send(5), g.send(7)), (Some(5), Some(12)));
    g.start(); // next(g) again: the frame stays where it stopped
    assert!(
        matches!(
            g,
            handwritten::Consumer::AtYield {
                total: 12,
                received: 2
            }
        ),
        "{g:?}"
    );
    let r = handwritten::with_async(3).unwrap();
    assert_eq!(r.log, expected);
    assert_eq!(r.total, 3);
    // The saved state is small; a thread's stack is megabytes.
    assert!(r.hand_size <= 16, "{r:?}");
    assert!(r.consumer_size < 256 && r.producer_size < 256, "{r:?}");
    assert!(r.thread_stack >= 1 << 20, "{r:?}");
}

#[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
#[test]
fn stackful_coroutines_each_run_on_their_own_stack() {
    let r = coroutine_demo::stackful::run(3, true).unwrap();
    let [(p_lo, p_hi), (c_lo, c_hi)] = r.stacks;
    assert!(p_hi <= c_lo || c_hi <= p_lo, "the stacks overlap: {r:?}");
    let whos: Vec<_> = r.turns.iter().map(|t| (t.who, t.item)).collect();
    assert_eq!(
        whos,
        [
            ("producer", 0),
            ("consumer", 0),
            ("producer", 1),
            ("consumer", 1),
            ("producer", 2),
            ("consumer", 2)
        ]
    );
    for t in &r.turns {
        let own = if t.who == "producer" {
            p_lo..p_hi
        } else {
            c_lo..c_hi
        };
        assert!(
            own.contains(&t.local_at),
            "{t:?} not on its own stack {own:x?}"
        );
    }
    // The saved stack pointers point into each one's own stack; the
    // saved instruction pointers just after each one's own entry.
    assert!((p_lo..p_hi).contains(&r.producer_saved.rsp), "{r:?}");
    assert!((c_lo..c_hi).contains(&r.consumer_saved.rsp), "{r:?}");
    assert!(r.producer_saved.rip.wrapping_sub(r.code[0]) < 4096, "{r:?}");
    assert!(r.consumer_saved.rip.wrapping_sub(r.code[1]) < 4096, "{r:?}");
    assert_eq!(r.switches, 6);
}

#[test]
fn a_future_switch_is_far_cheaper_than_a_thread_switch_and_makes_no_system_call() {
    quiet();
    // The fastest of five of each: a busy machine only adds time, and a
    // run of a few milliseconds can lose a whole time slice.
    let least = |f: &dyn Fn() -> std::time::Duration| (0..5).map(|_| f()).min().unwrap();
    let thread = least(&|| switch::threads(2_000).unwrap());
    let future = least(&|| switch::futures(20_000).unwrap().0);
    // Measured 20-70x on a busy 2-core machine; the bound is generous.
    assert!(future * 5 < thread, "future {future:?}, thread {thread:?}");
    #[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
    {
        let stackful = least(&|| switch::stackful(20_000).unwrap());
        assert!(
            stackful < thread,
            "swapcontext {stackful:?}, thread {thread:?}"
        );
    }
    let t = switch::table(1_000, 1).unwrap();
    let rows = [Some(t.process), Some(t.thread), t.stackful, Some(t.future)];
    assert!(rows.iter().flatten().all(|d| !d.is_zero()), "{t:?}");
    match t.calls {
        None => demo_kit::testing::skip("ptrace is not allowed here: system calls not counted"),
        Some(c) => {
            assert!(
                c.futures.is_empty(),
                "a future's switch made system calls: {c:?}"
            );
            if cfg!(all(target_arch = "x86_64", target_env = "gnu")) {
                assert_eq!(c.stackful, [("rt_sigprocmask".to_string(), 1.0)], "{c:?}");
            }
        }
    }
}

#[test]
fn the_runtime_wakes_exactly_the_task_that_registered_and_runs_it_before_sleeping() {
    quiet();
    let r = two_clients::run(false).unwrap();
    let frames = |who: &str| -> Vec<Vec<u8>> {
        (1..=2)
            .map(|i| format!("frame {i} from client {who}").into_bytes())
            .collect()
    };
    assert_eq!(r.echoes, [frames("A"), frames("B")]);
    assert_eq!(r.served, [Ok(2), Ok(2)]);
    assert!(
        r.threads.windows(2).all(|w| w[0] == w[1]),
        "tasks ran on several threads"
    );
    let mut waiting: std::collections::HashMap<(i32, Dir), usize> = Default::default();
    let mut woken: Vec<usize> = Vec::new();
    let mut polled_in_a_row = 0;
    let mut last_poll = None;
    for (i, e) in r.events.iter().enumerate() {
        match e {
            Event::Register { task, fd, dir, .. } => {
                assert_eq!(
                    last_poll,
                    Some(*task),
                    "registered outside its own poll at {i}"
                );
                waiting.insert((*fd, *dir), *task);
            }
            Event::Wake { task, fd, dir } => {
                assert_eq!(
                    waiting.remove(&(*fd, *dir)),
                    Some(*task),
                    "woke a task that did not register {fd} at {i}"
                );
                woken.push(*task);
            }
            Event::Poll { task, .. } => {
                woken.retain(|t| t != task);
                last_poll = Some(*task);
                polled_in_a_row += 1;
            }
            Event::Wait { .. } => {
                assert!(
                    woken.is_empty(),
                    "slept in epoll_wait with woken tasks {woken:?} at {i}"
                );
                assert!(polled_in_a_row > 0, "two epoll_waits without a poll at {i}");
                polled_in_a_row = 0;
            }
            Event::Pending { task } => {
                // A socket task never switches away without having
                // registered interest in this very poll (main and server
                // wait on join handles instead).
                let is_socket_task = !matches!(
                    r.events.iter().find_map(|e| match e {
                        Event::Spawn { task: t, name } if t == task => Some(name.as_str()),
                        _ => None,
                    }),
                    Some("main" | "server")
                );
                if is_socket_task {
                    let prev = &r.events[i - 1];
                    assert!(
                        matches!(prev, Event::Register { task: t, .. } if t == task),
                        "Pending without EAGAIN at {i}: {prev:?}"
                    );
                }
            }
            _ => {}
        }
    }
    // The checks above run once per recorded event: an empty or partial
    // record would pass them all. Every event the runtime counted must be
    // in it, wakes included.
    let count = |is: fn(&Event) -> bool| r.events.iter().filter(|e| is(e)).count() as u64;
    let recorded = coroutine_demo::runtime::Stats {
        spawns: count(|e| matches!(e, Event::Spawn { .. })),
        polls: count(|e| matches!(e, Event::Poll { .. })),
        pendings: count(|e| matches!(e, Event::Pending { .. })),
        registers: count(|e| matches!(e, Event::Register { .. })),
        waits: count(|e| matches!(e, Event::Wait { .. })),
        wakes: count(|e| matches!(e, Event::Wake { .. })),
    };
    assert_eq!(
        recorded, r.stats,
        "the record misses events the runtime counted"
    );
    assert!(
        r.stats.waits >= 2 && r.stats.pendings >= 6 && r.stats.wakes >= 3,
        "{:?}",
        r.stats
    );
}

#[test]
fn one_thread_serves_every_client_and_drops_only_the_one_that_vanished() {
    quiet();
    // On a thread given 20 s: a server still waiting for a client that
    // never connects fails here instead of hanging the suite.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(echo_run::run(6, 30).map_err(|e| e.to_string()));
    });
    let r = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the echo run still runs, 20 s on")
        .unwrap();
    assert_eq!(r.echoed, [30; 6]);
    assert_eq!(r.serve.conns.len(), 7);
    let dropped: Vec<_> = r
        .serve
        .conns
        .iter()
        .filter_map(|c| c.result.as_ref().err())
        .collect();
    assert_eq!(dropped.len(), 1, "{:?}", r.serve.conns);
    assert!(dropped[0].contains("end of file"), "{dropped:?}");
    let served: u64 = r
        .serve
        .conns
        .iter()
        .filter_map(|c| c.result.as_ref().ok())
        .sum();
    assert_eq!(served, 6 * 30);
    assert!(r
        .serve
        .conns
        .iter()
        .all(|c| c.thread == r.serve.server_thread));
    assert!(
        r.conn_future_size <= 1024,
        "{} bytes per connection",
        r.conn_future_size
    );
}

#[test]
fn computation_split_into_coroutines_is_not_faster() {
    quiet();
    // The thread's CPU time, not the wall clock: on one busy core (eight
    // tests at a time under `taskset -c 0`) the wall time of the serial
    // runs once came out 1.7x that of the coroutine runs, because the
    // scheduler happened to give them less of the core. CPU time counts
    // only the work. The fastest of three of each.
    let runs: Vec<_> = (0..3)
        .map(|_| cpu::run(200_000, 4, 2_000).unwrap())
        .collect();
    let serial = runs.iter().map(|r| r.serial_cpu).min().unwrap();
    let coroutines = runs.iter().map(|r| r.coroutines_cpu).min().unwrap();
    assert!(
        coroutines * 10 >= serial * 8,
        "coroutines {coroutines:?} beat serial {serial:?}"
    );
    assert!(runs.iter().all(|r| r.switches >= 4 * 25), "{runs:?}");
}

#[test]
fn a_future_that_never_arranges_a_wake_is_an_error_not_a_hang() {
    // Pending without keeping the waker, and no socket registered: nothing
    // can ever wake main. The runtime says so at once instead of sleeping
    // for ever (a hang here would be this test's timeout, below).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = Runtime::new().unwrap();
        let _ = tx.send(
            rt.block_on(std::future::pending::<()>())
                .map_err(|e| e.to_string()),
        );
    });
    let got = rx.recv_timeout(std::time::Duration::from_secs(10));
    let err = got.expect("block_on still sleeps, 10 s on").unwrap_err();
    assert_eq!(
        err,
        "every task is Pending and none can be woken: no socket is registered \
         (a future returned Pending without keeping its waker?)"
    );
}
