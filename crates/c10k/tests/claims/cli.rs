//! The binary: the default run finishes by itself; bad options get a clear
//! error, never a panic.

use demo_kit::testing::run_demo;

const BIN: &str = env!("CARGO_BIN_EXE_c10k");

#[test]
fn a_small_run_of_every_model_exits_zero() {
    // A server that echoes nothing fails here in seconds, not at the load's
    // time limit (60 s a model).
    for model in ["thread", "pool", "epoll", "epoll-cores", "async"] {
        crate::serving::assert_echoes(model);
    }
    crate::measuring::assert_load_runs();
    let (code, out, err) = run_demo(BIN, &["--conns", "100", "--rounds", "3"]);
    assert_eq!(code, 0, "{out}\n{err}");
    for model in ["thread", "pool", "epoll", "epoll-cores"] {
        let row = out
            .lines()
            .find(|l| l.starts_with(&format!("{model} ")))
            .unwrap_or_else(|| panic!("no row for {model}:\n{out}"));
        assert!(row.split_whitespace().nth(2) == Some("all"), "{row}");
    }
    assert!(out.contains("stopped and reaped"), "{out}");
}

#[test]
fn help_and_bad_options() {
    // The roles' --help is the program's own.
    for args in [&["--help"][..], &["serve", "--help"], &["load", "-h"]] {
        let (code, out, _) = run_demo(BIN, args);
        assert_eq!(code, 0, "{args:?}");
        assert!(
            out.contains("USAGE") && out.contains("epoll-cores"),
            "{args:?}: {out}"
        );
    }
    let hard = c10k::limits::hard_nofile().unwrap();
    for (args, needle) in [
        (vec!["--conns", "0"], "at least 1".to_string()),
        (vec!["--conns", "1000000"], format!("hard limit is {hard}")),
        (
            vec!["--model", "fork"],
            "unknown --model \"fork\"".to_string(),
        ),
        (
            vec!["serve", "--model", "fork"],
            "unknown --model".to_string(),
        ),
        (
            vec!["load", "--addr", "192.0.2.1:80"],
            "only sends to loopback".to_string(),
        ),
        // Each bound alone (a server let through would stop by itself
        // after its 1 s, or at once, and exit 0).
        (
            vec![
                "serve",
                "--threads",
                "0",
                "--seconds",
                "1",
                "--addr",
                "127.0.0.1:0",
            ],
            "--threads must be 1..=1024".to_string(),
        ),
        (
            vec![
                "serve",
                "--seconds",
                "0",
                "--addr",
                "127.0.0.1:0",
                "--quiet",
            ],
            "--seconds 1..=86400".to_string(),
        ),
    ] {
        let (code, _, err) = run_demo(BIN, &args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(&needle),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// `--svg DIR` writes the table's data file and both pictures, drawn from
/// it: one row per model run, with the req/s the table printed.
#[test]
fn svg_writes_the_models_plot() {
    crate::serving::assert_echoes("epoll");
    crate::measuring::assert_load_runs();
    let dir = std::env::temp_dir().join(format!(
        "c10k-svg-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let args = [
        "--model",
        "epoll",
        "--conns",
        "20",
        "--rounds",
        "2",
        "--svg",
        dir.to_str().unwrap(),
    ];
    let (code, out, err) = run_demo(BIN, &args);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    let data = std::fs::read_to_string(dir.join("20-c10k.csv")).unwrap();
    let chart = demo_kit::plot::parse(&data).unwrap();
    assert_eq!(chart.rows.len(), 1, "{data}");
    assert_eq!(chart.rows[0].name.en, "epoll: one epoll loop");
    let row = out.lines().find(|l| l.starts_with("epoll ")).unwrap();
    assert!(
        row.split_whitespace().nth(3) == Some(chart.rows[0].values[0].as_str()),
        "{row} vs {data}"
    );
    assert!(
        data.contains("--model epoll --conns 20 --rounds 2 --svg "),
        "{data}"
    );
    for (file, lang) in [
        ("20-c10k.svg", demo_kit::plot::Lang::En),
        ("20-c10k.zh-CN.svg", demo_kit::plot::Lang::Zh),
    ] {
        assert_eq!(
            std::fs::read_to_string(dir.join(file)).unwrap(),
            demo_kit::plot::svg(&chart, lang)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
