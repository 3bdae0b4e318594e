//! `--svg DIR`: the models' table as a picture for lesson 20 (issue 26).
//!
//! Two panels, one bar per server model: round trips per second, and the
//! server's memory per connection (`rss/conn`: VmRSS after every client
//! connected, minus before, over the connections). The data file records
//! the figures as the run measured them; `demo_kit::plot` draws both
//! editions from it.

use crate::run::Outcome;
use demo_kit::plot::{Chart, Column, Panel, Row, Text};

/// What a model is, in both editions (a model not listed: its name).
fn model_name(model: &str) -> Text {
    let (en, zh) = match model {
        "thread" => ("a thread per connection", "每个连接一个线程"),
        "pool" => ("a pool of 8 threads", "8 个线程的线程池"),
        "epoll" => ("one epoll loop", "一个 epoll 循环"),
        "epoll-cores" => ("an epoll loop per core", "每个核一个 epoll 循环"),
        "py-threading" => (
            "Python socketserver (threads)",
            "Python socketserver（线程）",
        ),
        "py-asyncio" => ("Python asyncio", "Python asyncio"),
        _ => return Text::new(model, model),
    };
    Text::new(format!("{model}: {en}"), format!("{model}：{zh}"))
}

/// The chart of `rows`, and a note for the data file about each figure
/// that could not be drawn as measured (a bar cannot go below zero).
pub fn chart(rows: &[Outcome], conns: usize, rounds: usize) -> (Chart, Vec<String>) {
    let mut notes = Vec::new();
    let rows = rows
        .iter()
        .map(|o| {
            let r = &o.report;
            let per_conn = r
                .server
                .as_ref()
                .map_or(0.0, |s| s.rss_per_conn(r.connected));
            if per_conn < 0.0 {
                notes.push(format!(
                    "{}: rss/conn measured {per_conn:.0} B (VmRSS fell), drawn as 0",
                    o.model
                ));
            }
            let mut name = model_name(&o.model);
            if !r.clean() {
                name.en += " (not all done)";
                name.zh += "（未全部完成）";
            }
            Row {
                name,
                values: vec![
                    format!("{:.0}", r.req_per_s),
                    format!("{:.0}", per_conn.max(0.0)),
                ],
            }
        })
        .collect();
    let chart = Chart {
        title: Text::new(
            format!("{conns} connections x {rounds} round trips of a 64-byte frame, each server model"),
            format!("{conns} 个连接，每个往返 {rounds} 次 64 字节的帧，各种服务端模型"),
        ),
        columns: vec![
            Column { key: "req_s".into(), name: Text::new("req/s", "req/s") },
            Column { key: "rss_per_conn".into(), name: Text::new("bytes per connection", "每个连接的字节数") },
        ],
        panels: vec![
            Panel {
                columns: vec!["req_s".into()],
                axis: Text::new("round trips per second (req/s)", "每秒往返次数（req/s）"),
            },
            Panel {
                columns: vec!["rss_per_conn".into()],
                axis: Text::new(
                    "server memory per connection, bytes (VmRSS after connecting - before, / connections)",
                    "每个连接占用的服务端内存，字节（连接后的 VmRSS 减去连接前，再除以连接数）",
                ),
            },
        ],
        rows,
    };
    (chart, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{LoadReport, ServerFigures};

    fn outcome(model: &str, req_per_s: f64, rss: (u64, u64), round_trips: u64) -> Outcome {
        let server = ServerFigures {
            rss_before_kib: rss.0,
            rss_after_kib: rss.1,
            ..Default::default()
        };
        let report = LoadReport {
            conns: 1000,
            rounds: 10,
            connected: 1000,
            round_trips,
            req_per_s,
            server: Some(server),
            ..Default::default()
        };
        Outcome {
            model: model.into(),
            server_pid: 1,
            load_pid: 2,
            report,
        }
    }

    #[test]
    fn one_row_per_model_with_its_figures() {
        let runs = [
            outcome("thread", 52038.4, (3092, 12696), 10_000),
            outcome("epoll", 52481.0, (2964, 3084), 10_000),
            outcome("async", 1.0, (3000, 2000), 9_000),
        ];
        let (c, notes) = chart(&runs, 1000, 10);
        let rows: Vec<(&str, &str, Vec<String>)> = c
            .rows
            .iter()
            .map(|r| (r.name.en.as_str(), r.name.zh.as_str(), r.values.clone()))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "thread: a thread per connection",
                    "thread：每个连接一个线程",
                    vec!["52038".to_string(), "9834".into()]
                ),
                (
                    "epoll: one epoll loop",
                    "epoll：一个 epoll 循环",
                    vec!["52481".into(), "123".into()]
                ),
                (
                    "async (not all done)",
                    "async（未全部完成）",
                    vec!["1".into(), "0".into()]
                ),
            ]
        );
        assert_eq!(
            notes,
            ["async: rss/conn measured -1024 B (VmRSS fell), drawn as 0"]
        );
        assert_eq!(
            c.title.en,
            "1000 connections x 10 round trips of a 64-byte frame, each server model"
        );
        assert_eq!(demo_kit::plot::parse(&c.to_data(&notes)).unwrap(), c);
    }
}
