//! The report, the table, the picture, and the models that need python3
//! or tokio: by hand, and through the binary.

use super::*;

// ------------------------------------------------------ report, by hand

#[test]
fn per_connection_figures_divide_the_difference() {
    let s = ServerFigures {
        kstack_before_kib: 1000,
        kstack_after_kib: 1160,
        rss_before_kib: 3000,
        rss_after_kib: 3010,
        ..Default::default()
    };
    assert_eq!(s.kstack_per_conn(10), 16384.0);
    assert_eq!(s.kstack_per_conn(0), 163840.0, "0 connections count as 1");
    assert_eq!(s.rss_per_conn(10), 1024.0);
    let fell = ServerFigures {
        kstack_before_kib: 1160,
        kstack_after_kib: 1000,
        ..Default::default()
    };
    assert_eq!(fell.kstack_per_conn(10), -16384.0);
}

#[test]
fn every_error_is_counted_and_the_first_kept() {
    let mut r = LoadReport::default();
    r.note_error("one".into());
    r.note_error("two".into());
    r.note_error("three".into());
    assert_eq!((r.errors, r.first_error.as_deref()), (3, Some("one")));
}

#[test]
fn finish_gives_the_rate_and_the_percentiles() {
    let mut r = LoadReport::default();
    let mut lat: Vec<u32> = (1..=100).rev().collect();
    r.finish(Duration::from_secs(2), Duration::from_millis(500), &mut lat);
    assert_eq!(r.round_trips, 100);
    assert_eq!((r.elapsed_s, r.req_per_s, r.load_cpu_s), (2.0, 50.0, 0.5));
    // Sorted; p50 is the value at (100 - 1) * 0.50 = 49, p99 at 98.
    assert_eq!((r.p50_us, r.p99_us), (50.0, 99.0));
    assert_eq!(lat[0], 1);
    let mut none = LoadReport::default();
    none.finish(Duration::from_secs(1), Duration::ZERO, &mut []);
    assert_eq!(
        (none.round_trips, none.req_per_s, none.p50_us, none.p99_us),
        (0, 0.0, 0.0, 0.0)
    );
}

/// The `result {json}` line the load process prints reads back the same,
/// with the server's figures and without (no `--server-pid`).
#[test]
fn the_report_survives_its_json_line() {
    let mut r = LoadReport {
        conns: 3,
        rounds: 2,
        connected: 3,
        round_trips: 6,
        errors: 1,
        first_error: Some("x".into()),
        timed_out: true,
        elapsed_s: 0.5,
        req_per_s: 12.0,
        p50_us: 40.0,
        p99_us: 90.0,
        load_cpu_s: 0.25,
        server: None,
    };
    let back = |r: &LoadReport| {
        LoadReport::from_json(&serde_json::from_str(&r.to_json().to_string()).unwrap())
    };
    assert_eq!(back(&r).as_ref(), Some(&r));
    r.server = Some(ServerFigures {
        rss_before_kib: 1,
        rss_after_kib: 2,
        hwm_kib: 3,
        fds_before: 4,
        fds_after: 5,
        threads_after: 6,
        kstack_before_kib: 7,
        kstack_after_kib: 8,
        cpu_s: 0.125,
        cpu_per_rt_us: 9.5,
    });
    assert_eq!(back(&r).as_ref(), Some(&r));
}

// ------------------------------------------------ the table and picture

#[test]
fn the_table_header_names_each_column_over_it() {
    let h = c10k::table::header();
    let names: Vec<&str> = h.split_whitespace().collect();
    assert_eq!(
        names,
        [
            "model",
            "conns",
            "done",
            "req/s",
            "p50",
            "p99",
            "load-cpu",
            "srv-cpu/rt",
            "rss/conn",
            "fds",
            "bef/aft",
            "hwm"
        ]
    );
    let r = LoadReport {
        conns: 10,
        rounds: 1,
        connected: 10,
        round_trips: 10,
        elapsed_s: 1.0,
        server: Some(ServerFigures::default()),
        ..Default::default()
    };
    let row = c10k::table::row(&outcome("epoll", r));
    assert_eq!(
        row.chars().count(),
        h.chars().count(),
        "aligned:\n{h}\n{row}"
    );
}

/// The demo narrates each run: the client's side, then the server's
/// figures from /proc, the descriptors grown by one per connection.
#[test]
fn each_run_is_narrated_with_the_servers_figures() {
    assert_load_runs();
    let args = [
        "--model",
        "epoll",
        "--conns",
        "20",
        "--rounds",
        "2",
        "--time-limit",
        "5",
    ];
    let (code, out, err) = demo_kit::testing::run_demo(BIN, &args);
    assert_eq!(code, 0, "{out}\n{err}");
    let client = out
        .lines()
        .find(|l| l.contains("epoll: server pid "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        client.contains(": 20 of 20 connected, 40 round trips in ")
            && client.ends_with(", 0 errors"),
        "{client}"
    );
    let kernel = out
        .lines()
        .find(|l| l.contains("epoll: VmRSS "))
        .unwrap_or_else(|| panic!("{out}"));
    let fds = kernel
        .split("fds ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    let (before, after) = fds.split_once(" -> ").unwrap();
    let (before, after): (u64, u64) = (before.parse().unwrap(), after.parse().unwrap());
    // 20 connections at least (and the server's epoll and spare
    // descriptors when its first reading came before it opened them: it
    // says where it listens first, and the load starts then).
    assert!(after >= before + 20, "{kernel}");
    assert!(out.contains(&c10k::table::header()), "{out}");
}

/// Each model's bar is labelled with what it is, in both editions; a
/// figure drawn as measured gets no note.
#[test]
fn the_picture_names_every_model() {
    let rows: Vec<Outcome> = c10k::MODELS
        .iter()
        .map(|m| {
            let r = LoadReport {
                conns: 1,
                rounds: 1,
                connected: 1,
                round_trips: 1,
                server: Some(ServerFigures {
                    rss_before_kib: 100,
                    rss_after_kib: 100,
                    ..Default::default()
                }),
                ..Default::default()
            };
            outcome(m, r)
        })
        .collect();
    let (chart, notes) = c10k::plot::chart(&rows, 1, 1);
    let names: Vec<(&str, &str)> = chart
        .rows
        .iter()
        .map(|r| (r.name.en.as_str(), r.name.zh.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (
                "thread: a thread per connection",
                "thread：每个连接一个线程"
            ),
            ("pool: a pool of 8 threads", "pool：8 个线程的线程池"),
            ("epoll: one epoll loop", "epoll：一个 epoll 循环"),
            (
                "epoll-cores: an epoll loop per core",
                "epoll-cores：每个核一个 epoll 循环"
            ),
            ("async", "async"),
            (
                "py-threading: Python socketserver (threads)",
                "py-threading：Python socketserver（线程）"
            ),
            ("py-asyncio: Python asyncio", "py-asyncio：Python asyncio"),
        ]
    );
    assert!(
        notes.is_empty(),
        "0 bytes per connection is drawn as measured: {notes:?}"
    );
    assert!(chart.rows.iter().all(|r| r.values[1] == "0"));
}

// ------------------------------------------------- python3 and tokio

/// A `python3` that fails `--version` counts as missing: the Python models
/// are skipped, with why.
#[test]
fn a_python3_that_fails_counts_as_missing() {
    let dir = std::env::temp_dir().join(format!(
        "c10k-nopy-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fake = dir.join("python3");
    std::fs::write(&fake, "#!/bin/sh\nexit 3\n").unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    // Started once here, so no other test's fork still holds it open for
    // writing (ETXTBSY) when c10k runs it (output_within retries that).
    assert_eq!(Command::new(&fake).output_within().status.code(), Some(3));
    let out = Command::new(BIN)
        .args(["--model", "py-threading", "--conns", "10", "--rounds", "1"])
        .env("PATH", &dir)
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .output_within();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("py-threading: skipped: python3 --version failed (exit status: 3)"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The tokio reference runs as `current` or `multi`, from its own
/// workspace's release build.
#[test]
fn the_tokio_models_and_their_binary() {
    use c10k::tokio_ref::{binary, flavor, MODELS};
    assert_eq!(MODELS.map(flavor), [Some("current"), Some("multi")]);
    assert_eq!(flavor("epoll"), None);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tokio-ref");
    assert_eq!(binary(), dir.join("target/release/c10k-tokio-ref"));
    assert!(dir.join("Cargo.toml").is_file());
}
