//! `--bench --svg DIR`: the GIL table of lesson 15 as a picture (issue 26).
//!
//! The four ways to run N CPU-bound tasks at once (Rust and Python, threads
//! and processes), each with its speed-up over running the tasks one after
//! another and the cores it kept busy, as bench 2/2 prints them (medians of
//! 3 runs). The data file records the figures as measured;
//! `demo_kit::plot` draws both editions from it.

use demo_kit::plot::{Chart, Column, Panel, Row, Text};

/// One language's medians, as bench 2/2 prints them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Medians {
    pub threads_speedup: f64,
    pub threads_busy: f64,
    pub processes_speedup: f64,
    pub processes_busy: f64,
}

fn row(en: &str, zh: &str, speedup: f64, busy: f64) -> Row {
    Row {
        name: Text::new(en, zh),
        values: vec![format!("{speedup:.2}"), format!("{busy:.2}")],
    }
}

/// The chart of `n` tasks of about `work_ms` on `cores` cores; the Python
/// rows only when Python was measured.
pub fn chart(
    n: usize,
    cores: usize,
    work_ms: u64,
    rust: &Medians,
    python: Option<&Medians>,
) -> Chart {
    let mut rows = vec![
        row(
            "Rust threads",
            "Rust 线程",
            rust.threads_speedup,
            rust.threads_busy,
        ),
        row(
            "Rust processes",
            "Rust 进程",
            rust.processes_speedup,
            rust.processes_busy,
        ),
    ];
    if let Some(py) = python {
        rows.push(row(
            "Python threads",
            "Python 线程",
            py.threads_speedup,
            py.threads_busy,
        ));
        rows.push(row(
            "Python processes",
            "Python 进程",
            py.processes_speedup,
            py.processes_busy,
        ));
    }
    Chart {
        title: Text::new(
            format!("{n} CPU-bound tasks of about {work_ms} ms at once, {cores} cores (medians of 3 runs)"),
            format!("同时跑 {n} 个约 {work_ms} ms 的 CPU 密集任务，{cores} 个核（3 次运行的中位数）"),
        ),
        columns: vec![
            Column {
                key: "speedup".into(),
                name: Text::new("speed-up (serial time / time)", "加速比（串行时间 / 用时）"),
            },
            Column {
                key: "busy".into(),
                name: Text::new("cores busy (CPU time / time)", "忙碌的核数（CPU 时间 / 用时）"),
            },
        ],
        panels: vec![Panel {
            columns: vec!["speedup".into(), "busy".into()],
            axis: Text::new(format!("against one task after another; at most {cores} here"), format!("与逐个串行相比；这里最多为 {cores}")),
        }],
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUST: Medians = Medians {
        threads_speedup: 1.924,
        threads_busy: 1.94,
        processes_speedup: 1.9,
        processes_busy: 1.906,
    };
    const PY: Medians = Medians {
        threads_speedup: 0.87,
        threads_busy: 1.0,
        processes_speedup: 1.73,
        processes_busy: 1.89,
    };

    #[test]
    fn four_rows_with_python_two_without() {
        let c = chart(2, 2, 400, &RUST, Some(&PY));
        assert_eq!(
            c.title.en,
            "2 CPU-bound tasks of about 400 ms at once, 2 cores (medians of 3 runs)"
        );
        let rows: Vec<(&str, &str, Vec<String>)> = c
            .rows
            .iter()
            .map(|r| (r.name.en.as_str(), r.name.zh.as_str(), r.values.clone()))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "Rust threads",
                    "Rust 线程",
                    vec!["1.92".to_string(), "1.94".into()]
                ),
                (
                    "Rust processes",
                    "Rust 进程",
                    vec!["1.90".into(), "1.91".into()]
                ),
                (
                    "Python threads",
                    "Python 线程",
                    vec!["0.87".into(), "1.00".into()]
                ),
                (
                    "Python processes",
                    "Python 进程",
                    vec!["1.73".into(), "1.89".into()]
                ),
            ]
        );
        assert_eq!(
            c.panels[0].axis.en,
            "against one task after another; at most 2 here"
        );
        assert_eq!(demo_kit::plot::parse(&c.to_data(&[])).unwrap(), c);
        assert_eq!(chart(2, 1, 400, &RUST, None).rows.len(), 2);
    }
}
