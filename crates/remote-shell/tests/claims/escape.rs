//! Nothing a command starts outlives it, even a process that left the
//! command's process group: a `setsid` job, a double-forked daemon (fork,
//! setsid, fork: re-parented and in its own session) and a `nohup` job.
//! Each is gone within 1 s of its command's end, whether the command
//! exits, times out, loses its client or the server stops, and another
//! client's command running at the same moment is untouched.

use crate::common::{ServerProc, PATIENCE};
use nix::sys::signal::Signal;
use remote_shell::client::Client;
use remote_shell::framed_proto::{self, client_codec, COMMAND, EXIT};
use remote_shell::Protocol;
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The bound: gone within 1 s of the command's end.
const WITHIN: Duration = Duration::from_secs(1);

/// Three ways to outlive a process group. `{pidfile}` gets the escaped
/// process's pid; it then becomes `sleep` (stdout and stderr still on the
/// command's pipes for `setsid`, as in the report).
const ESCAPES: [(&str, &str); 3] = [
    (
        "setsid",
        "setsid sh -c 'echo $$ > {pidfile}; exec sleep {secs}' &",
    ),
    (
        "double fork",
        "sh -c 'setsid sh -c \"echo \\$\\$ > {pidfile}; exec sleep {secs}\" >/dev/null 2>&1 &';",
    ),
    (
        "nohup",
        "nohup sh -c 'echo $$ > {pidfile}; exec sleep {secs}' >/dev/null 2>&1 &",
    ),
];

/// Files unique to this test process and call, removed on drop.
struct Scratch(PathBuf);
impl Scratch {
    fn new(tag: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "remote-shell-escape-{}-{tag}-{n}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A command that starts one escapee, waits until it runs, then waits
/// for the test to create `go` (so the test picks the moment it ends).
fn escaping_command(escape: &str, s: &Scratch) -> String {
    let pidfile = s.path("pid");
    let start = escape
        .replace("{pidfile}", &pidfile)
        .replace("{secs}", "1234");
    format!(
        "{start} while [ ! -s {pidfile} ]; do sleep 0.01; done; echo started; \
         while [ ! -e {go} ]; do sleep 0.01; done; echo ended",
        go = s.path("go")
    )
}

/// Send the command on a framed connection; wait until the escapee runs
/// and check that it really left the command's process group.
fn start(client: &Client, escape: &str, s: &Scratch) -> i32 {
    let mut stream: &TcpStream = client.stream();
    framed_proto::send(&mut stream, COMMAND, escaping_command(escape, s).as_bytes()).unwrap();
    let pid: i32 = demo_kit::wait::until(PATIENCE, || {
        std::fs::read_to_string(s.path("pid"))
            .ok()?
            .trim()
            .parse()
            .ok()
    })
    .unwrap_or_else(|| panic!("the escapee wrote no pid: {}", escaping_command(escape, s)));
    let stat = demo_kit::procfs::stat(pid).expect("the escapee is running");
    if !escape.starts_with("nohup") {
        assert_eq!(stat.session, pid, "{escape}: should lead its own session");
    }
    pid
}

/// Read frames until the exit frame; returns when it came.
fn wait_exit(client: &Client) -> Instant {
    let mut stream: &TcpStream = client.stream();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    loop {
        let frame = client_codec().read_frame(&mut stream).unwrap().unwrap();
        if frame[0] == EXIT {
            return Instant::now();
        }
    }
}

fn assert_gone_within(pid: i32, since: Instant, what: &str) {
    let gone = demo_kit::wait::until(WITHIN, || demo_kit::procfs::is_gone(pid).then_some(()));
    assert!(
        gone.is_some(),
        "{what}: pid {pid} still there {:?} after the command's end: {:?}",
        since.elapsed(),
        demo_kit::procfs::stat(pid)
    );
}

#[test]
fn escapees_die_when_their_command_exits() {
    let server = ServerProc::start(&["--timeout", "60"]);
    let client = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    for (name, escape) in ESCAPES {
        let s = Scratch::new("exit");
        let pid = start(&client, escape, &s);
        std::fs::write(s.path("go"), b"").unwrap();
        let ended = wait_exit(&client);
        assert_gone_within(pid, ended, name);
    }
}

#[test]
fn escapees_die_when_their_command_times_out() {
    let server = ServerProc::start(&["--timeout", "0.5"]);
    // One client per escape, all started at once: each command times out
    // on its own clock, so the three waits overlap.
    let runs: Vec<(&str, Client, Scratch, i32)> = ESCAPES
        .iter()
        .map(|(name, escape)| {
            let client = Client::connect(server.addr, Protocol::Framed, None).unwrap();
            let s = Scratch::new("timeout");
            let pid = start(&client, escape, &s); // never told to go: times out
            (*name, client, s, pid)
        })
        .collect();
    for (name, client, _scratch, pid) in &runs {
        let ended = wait_exit(client);
        assert_gone_within(*pid, ended, name);
    }
}

#[test]
fn escapees_die_when_the_client_hangs_up() {
    let server = ServerProc::start(&["--timeout", "60"]);
    for (name, escape) in ESCAPES {
        let s = Scratch::new("hangup");
        let client = Client::connect(server.addr, Protocol::Framed, None).unwrap();
        let pid = start(&client, escape, &s);
        drop(client);
        assert_gone_within(pid, Instant::now(), name);
    }
}

#[test]
fn escapees_die_when_the_server_stops_and_nothing_is_left() {
    let mut server = ServerProc::start(&["--timeout", "60"]);
    let scratch: Vec<Scratch> = ESCAPES.iter().map(|_| Scratch::new("stop")).collect();
    let clients: Vec<Client> = ESCAPES
        .iter()
        .map(|_| Client::connect(server.addr, Protocol::Framed, None).unwrap())
        .collect();
    let pids: Vec<i32> = ESCAPES
        .iter()
        .zip(&clients)
        .zip(&scratch)
        .map(|(((_, escape), c), s)| start(c, escape, s))
        .collect();
    let keepers = children_of(server.pid());
    assert_eq!(keepers.len(), 3, "one keeper per running command");
    server.signal(Signal::SIGINT);
    let (status, took) = server.wait_exit(PATIENCE).expect("the server did not exit");
    assert_eq!(status.code(), Some(0));
    eprintln!("server stopped {took:?} after SIGINT");
    let stopped = Instant::now();
    for (pid, (name, _)) in pids.iter().zip(ESCAPES) {
        assert_gone_within(*pid, stopped, name);
    }
    for k in keepers {
        assert_gone_within(k, stopped, "a keeper");
    }
}

#[test]
fn another_clients_command_runs_on_untouched() {
    let server = ServerProc::start(&["--timeout", "60"]);
    let bystander = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    let b = Scratch::new("bystander");
    let go = b.path("go");
    let mut stream: &TcpStream = bystander.stream();
    let long = format!(
        "echo $$ > {}; while [ ! -e {go} ]; do sleep 0.01; done; echo survived",
        b.path("pid")
    );
    framed_proto::send(&mut stream, COMMAND, long.as_bytes()).unwrap();
    let shell: i32 = demo_kit::wait::until(PATIENCE, || {
        std::fs::read_to_string(b.path("pid"))
            .ok()?
            .trim()
            .parse()
            .ok()
    })
    .unwrap();
    // Meanwhile another client's commands end, killing their escapees.
    let client = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    for (name, escape) in ESCAPES {
        let s = Scratch::new("other");
        let pid = start(&client, escape, &s);
        std::fs::write(s.path("go"), b"").unwrap();
        assert_gone_within(pid, wait_exit(&client), name);
    }
    let other = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    let s = Scratch::new("other-hangup");
    let pid = start(&other, ESCAPES[0].1, &s);
    drop(other);
    assert_gone_within(pid, Instant::now(), "hang-up");
    // The bystander's shell was never touched.
    assert!(
        !demo_kit::procfs::is_gone(shell),
        "the bystander was killed"
    );
    std::fs::write(&go, b"").unwrap();
    let mut bystander = bystander;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    // Its reply (stdout "survived", exit 0) is still on its way.
    let mut stream: &TcpStream = bystander.stream();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut got = Vec::new();
    loop {
        let frame = client_codec().read_frame(&mut stream).unwrap().unwrap();
        if frame[0] == EXIT {
            let exit: serde_json::Value = serde_json::from_slice(&frame[1..]).unwrap();
            assert_eq!(exit["code"], 0, "{exit}");
            break;
        }
        got.extend_from_slice(&frame[1..]);
    }
    assert_eq!(got, b"survived\n");
    bystander.run(b"echo again", &mut out, &mut err).unwrap();
    assert_eq!(out, b"again\n");
}

/// Live children of `pid`, from /proc.
fn children_of(pid: i32) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(demo_kit::procfs::stat)
        .filter(|s| s.ppid == pid && s.state != 'Z')
        .map(|s| s.pid)
        .collect()
}

/// Even a server killed with SIGKILL, which cleans up nothing, leaves
/// nothing: its end of each keeper's socket closes with it, the keeper
/// sees the hang-up and kills everything below it.
#[test]
fn escapees_die_even_when_the_server_is_killed() {
    let mut server = ServerProc::start(&["--timeout", "60"]);
    let s = Scratch::new("sigkill");
    let client = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    let pid = start(&client, ESCAPES[0].1, &s);
    let keepers = children_of(server.pid());
    assert_eq!(keepers.len(), 1, "one keeper for the running command");
    server.signal(Signal::SIGKILL);
    server.wait_exit(PATIENCE).expect("the server did not die");
    let killed = Instant::now();
    assert_gone_within(pid, killed, "setsid after SIGKILL");
    for k in keepers {
        // Re-parented to pid 1 (or a subreaper above us), which reaps it.
        let gone = demo_kit::wait::until(PATIENCE, || {
            let alive = demo_kit::procfs::stat(k).is_some_and(|st| st.state != 'Z');
            (!alive).then_some(())
        });
        assert!(gone.is_some(), "keeper {k} still running");
    }
}

/// A connection's commands share one keeper, forked at its first command
/// as a child of the server (the shell's parent, `$PPID`, is the keeper);
/// another connection has its own; the keeper is gone when its client
/// hangs up.
#[test]
fn one_keeper_per_connection() {
    let server = ServerProc::start(&["--timeout", "60"]);
    let keeper_of = |c: &mut Client| -> i32 {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        c.run(b"echo $PPID", &mut out, &mut err).unwrap();
        String::from_utf8(out).unwrap().trim().parse().unwrap()
    };
    let mut a = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    let first = keeper_of(&mut a);
    assert_eq!(
        keeper_of(&mut a),
        first,
        "the same keeper runs both commands"
    );
    let stat = demo_kit::procfs::stat(first).expect("the keeper is alive between commands");
    assert_eq!(stat.ppid, server.pid(), "the keeper is the server's child");
    let mut b = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    assert_ne!(
        keeper_of(&mut b),
        first,
        "another connection, another keeper"
    );
    // A command the keeper refuses (a NUL byte) leaves it in place.
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let reply = a.run(b"echo a\0b", &mut out, &mut err).unwrap();
    assert!(reply.error.is_some_and(|e| e.contains("NUL byte")));
    assert_eq!(
        keeper_of(&mut a),
        first,
        "a refused command keeps the keeper"
    );
    drop(a);
    assert_gone_within(first, Instant::now(), "the keeper of a client that hung up");
    // A keeper that died between two commands is replaced at the next one.
    let dead = keeper_of(&mut b);
    let stat = demo_kit::procfs::stat(dead).expect("b's keeper");
    assert!(
        dead > 1 && stat.ppid == server.pid(),
        "not the server's keeper: {stat:?}"
    );
    let pid = nix::unistd::Pid::from_raw(dead);
    nix::sys::signal::kill(pid, Signal::SIGKILL).unwrap();
    let died = demo_kit::wait::until(PATIENCE, || {
        let state = demo_kit::procfs::stat(dead).map(|s| s.state);
        matches!(state, None | Some('Z')).then_some(())
    });
    assert!(died.is_some(), "the keeper {dead} did not die");
    assert_ne!(keeper_of(&mut b), dead, "a new keeper ran the next command");
}
