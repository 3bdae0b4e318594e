//! The exercises, in course order, and where their files live.
//!
//! The order is the course's (docs/README.md): each exercise names the
//! lesson it practises. `exercises/Cargo.toml` declares the same list as
//! test targets; a test below checks that the two agree.
//!
//! Each exercise's *pristine* text (as shipped, unsolved) is the version in
//! the repository's last commit ([`pristine`]): `reset` restores it and
//! `verify` proves it fails, whatever the student has done to their working
//! copy — without a second copy of every exercise in the tree.

use std::path::PathBuf;

/// One exercise.
#[derive(Debug)]
pub struct Exercise {
    /// The name students type: `cargo run -p course -- check NAME`.
    pub name: &'static str,
    /// The file, relative to `exercises/` (also the solution's path under
    /// `exercises/solutions/`).
    pub path: &'static str,
    /// The lesson it belongs to, relative to the repository root.
    pub lesson: &'static str,
    /// The lesson's number and title, for lists.
    pub topic: &'static str,
}

macro_rules! exercise {
    ($name:literal, $dir:literal, $lesson:literal, $topic:literal) => {
        Exercise {
            name: $name,
            path: concat!($dir, "/", $name, ".rs"),
            lesson: concat!("docs/", $lesson, ".md"),
            topic: $topic,
        }
    };
}

/// Every exercise, in the order a student should do them.
pub const EXERCISES: &[Exercise] = &[
    exercise!("tcp_states", "01_handshake", "01-handshake", "01 handshake"),
    exercise!(
        "http_split",
        "02_client_server",
        "02-client-server-browser",
        "02 C/S and B/S"
    ),
    exercise!(
        "dns_header",
        "03_internet_addresses",
        "03-internet-addresses",
        "03 internet, addresses"
    ),
    exercise!(
        "udp_loss",
        "04_reliability",
        "04-reliability",
        "04 reliability"
    ),
    exercise!(
        "recv_exact",
        "05_sticky_packets",
        "05-sticky-packets",
        "05 sticky packets"
    ),
    exercise!(
        "line_frames",
        "05_sticky_packets",
        "05-sticky-packets",
        "05 sticky packets"
    ),
    exercise!(
        "length_prefix",
        "06_length_prefix",
        "06-length-prefix",
        "06 length prefix"
    ),
    exercise!(
        "header_frame",
        "06_length_prefix",
        "06-length-prefix",
        "06 length prefix"
    ),
    exercise!(
        "long_reply",
        "07_remote_shell",
        "07-remote-shell",
        "07 remote shell"
    ),
    exercise!(
        "two_clients",
        "07_remote_shell",
        "07-remote-shell",
        "07 remote shell"
    ),
    exercise!(
        "escapees",
        "07_remote_shell",
        "07-remote-shell",
        "07 remote shell"
    ),
    exercise!(
        "fork_wait",
        "08_spawning_processes",
        "08-spawning-processes",
        "08 spawning processes"
    ),
    exercise!(
        "terminate_reap",
        "09_join_terminate",
        "09-join-terminate",
        "09 join/terminate"
    ),
    exercise!(
        "isolation",
        "10_memory_isolation",
        "10-memory-isolation",
        "10 memory isolation"
    ),
    exercise!("daemonize", "11_daemon", "11-daemon", "11 daemon"),
    exercise!("ticket_lock", "12_mutex", "12-mutex", "12 mutex"),
    exercise!("pipe_eof", "13_ipc", "13-ipc", "13 IPC"),
    exercise!(
        "bounded_queue",
        "14_producer_consumer",
        "14-producer-consumer",
        "14 producer-consumer"
    ),
    exercise!(
        "seqpacket_queue",
        "14_producer_consumer",
        "14-producer-consumer",
        "14 producer-consumer"
    ),
    exercise!("shared_counter", "15_threads", "15-threads", "15 threads"),
    exercise!(
        "lock_order",
        "16_locks_and_sync",
        "16-locks-and-sync",
        "16 locks and sync"
    ),
    exercise!(
        "semaphore",
        "16_locks_and_sync",
        "16-locks-and-sync",
        "16 locks and sync"
    ),
    exercise!("pool_submit", "17_pools", "17-pools", "17 pools"),
    exercise!(
        "nonblocking_read",
        "18_io_models",
        "18-io-models",
        "18 I/O models"
    ),
    exercise!(
        "poll_two_clients",
        "18_io_models",
        "18-io-models",
        "18 I/O models"
    ),
    exercise!(
        "epoll_echo",
        "18_io_models",
        "18-io-models",
        "18 I/O models"
    ),
    exercise!("accept_emfile", "19_c10k", "19-c10k", "19 C10K"),
    exercise!(
        "tcp_checksum",
        "20_tcp_by_hand",
        "20-tcp-by-hand",
        "20 TCP by hand"
    ),
    exercise!(
        "syn_packet",
        "20_tcp_by_hand",
        "20-tcp-by-hand",
        "20 TCP by hand"
    ),
    exercise!(
        "handshake_by_hand",
        "20_tcp_by_hand",
        "20-tcp-by-hand",
        "20 TCP by hand"
    ),
    exercise!(
        "teardown_by_hand",
        "20_tcp_by_hand",
        "20-tcp-by-hand",
        "20 TCP by hand"
    ),
];

/// Looks an exercise up by name.
pub fn find(name: &str) -> Option<&'static Exercise> {
    EXERCISES.iter().find(|e| e.name == name)
}

/// All names, for error messages.
pub fn names() -> String {
    EXERCISES
        .iter()
        .map(|e| e.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The repository root (this crate lives in `crates/course`).
pub fn repo_root() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The exercises workspace: `exercises/` at the repository root, or the
/// directory in `COURSE_EXERCISES` (the runner's own tests use a scratch copy).
pub fn exercises_dir() -> PathBuf {
    match std::env::var_os("COURSE_EXERCISES") {
        Some(dir) => PathBuf::from(dir),
        None => repo_root().join("exercises"),
    }
}

/// The exercise as shipped: `git show HEAD:exercises/<path>` in the
/// repository this runner belongs to. (If you commit your own work on an
/// exercise, that commit becomes what `reset` restores.)
pub fn pristine(e: &Exercise) -> std::io::Result<String> {
    let spec = format!("HEAD:exercises/{}", e.path);
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo_root())
        .args(["show", &spec])
        .output()
        .map_err(|err| {
            std::io::Error::other(format!(
                "`git show {spec}` could not run ({err}): reset and verify need git and the course's git checkout"
            ))
        })?;
    if !out.status.success() {
        return Err(std::io::Error::other(format!(
            "`git show {spec}` failed: {}; reset and verify need the course's git checkout",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    String::from_utf8(out.stdout).map_err(std::io::Error::other)
}

/// Where an exercise file's tests begin.
const TESTS_START: &str = "\n#[cfg(test)]";

/// The exercise solved: the solution's code (`<solutions_dir>/<path>`)
/// followed by the exercise's own tests.
/// Solutions ship without tests, so each exercise's tests exist once, in the
/// exercise file, and a solution is proven against exactly the tests the
/// student runs.
pub fn solved_text(e: &Exercise, solutions_dir: &std::path::Path) -> std::io::Result<String> {
    let solution = std::fs::read_to_string(solutions_dir.join(e.path))?;
    let code = solution.split(TESTS_START).next().unwrap_or_default();
    let exercise = pristine(e)?;
    let tests = exercise.find(TESTS_START).map_or("", |at| &exercise[at..]);
    if tests.is_empty() {
        return Err(std::io::Error::other(format!(
            "exercises/{} has no #[cfg(test)] tests",
            e.path
        )));
    }
    Ok(format!("{}{tests}", code.trim_end_matches('\n')))
}

/// The task: the comment block at the top of an exercise file, without `//`.
pub fn task(text: &str) -> String {
    text.lines()
        .take_while(|l| l.starts_with("//"))
        .map(|l| {
            l.trim_start_matches("//")
                .strip_prefix(' ')
                .unwrap_or(l.trim_start_matches("//"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_toml_declares_the_same_exercises_in_the_same_order() {
        let manifest = std::fs::read_to_string(exercises_dir().join("Cargo.toml")).unwrap();
        let declared: Vec<(String, String)> = manifest
            .split("[[test]]")
            .skip(1)
            .map(|block| {
                let field = |key: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(key))
                        .map(|v| v.trim().trim_matches('"').to_string())
                        .unwrap()
                };
                (field("name = "), field("path = "))
            })
            .collect();
        let ours: Vec<(String, String)> = EXERCISES
            .iter()
            .map(|e| (e.name.to_string(), e.path.to_string()))
            .collect();
        assert_eq!(declared, ours);
    }

    #[test]
    fn every_exercise_has_a_task_naming_its_lesson_a_hint_and_a_solution() {
        assert!(EXERCISES.len() >= 12);
        for e in EXERCISES {
            let text = std::fs::read_to_string(repo_root().join("exercises").join(e.path)).unwrap();
            let task = task(&text);
            assert!(
                task.contains(e.lesson),
                "{}: the task names {}",
                e.name,
                e.lesson
            );
            assert!(
                task.contains(e.name),
                "{}: the task names the exercise",
                e.name
            );
            let hint = exercises_dir().join("hints").join(format!("{}.md", e.name));
            assert!(hint.is_file(), "missing {}", hint.display());
            let solution = exercises_dir().join("solutions").join(e.path);
            assert!(solution.is_file(), "missing {}", solution.display());
        }
    }

    #[test]
    fn exercises_lock_uses_the_root_versions() {
        // The exercises build offline from what the root workspace fetched.
        let root = std::fs::read_to_string(repo_root().join("Cargo.lock")).unwrap();
        let ours = std::fs::read_to_string(exercises_dir().join("Cargo.lock")).unwrap();
        for package in ours.split("[[package]]").skip(1) {
            if !package.contains("source = \"registry") {
                continue;
            }
            let head: String = package.lines().take(3).collect::<Vec<_>>().join("\n");
            let wanted: Vec<&str> = head.lines().filter(|l| !l.trim().is_empty()).collect();
            let (name, version) = (wanted[0], wanted[1]);
            assert!(
                root.contains(&format!("{name}\n{version}")),
                "exercises/Cargo.lock has {name} {version}, the root Cargo.lock does not"
            );
        }
    }
}
