//! `--plot DIR`: the lesson's picture, from a run made for it (issue 26).
//!
//! The same UDP and TCP runs as the demo, at three reader pauses (0, 50
//! and 200 µs after each read), drawn as two panels: what share of the
//! messages arrived, and how long the sender's loop took (all its
//! `sendto()` or `write()` calls). UDP's sender finishes
//! fast and most of its datagrams are dropped; TCP's sender is held back
//! to the reader's pace and everything arrives. The data file records the
//! figures as measured; `demo_kit::plot` draws both editions from it.

use crate::tcp::TcpReport;
use crate::udp::UdpReport;
use demo_kit::plot::{Chart, Column, Panel, Row, Text};

/// The reader pauses the plot compares, in microseconds (50 is the
/// demo's default, the run the lesson shows).
pub const PAUSES_US: [u64; 3] = [0, 50, 200];

/// One pause's pair of runs.
pub struct Measured {
    pub pause_us: u64,
    pub udp: UdpReport,
    pub tcp: TcpReport,
}

fn percent(part: u64, whole: u64) -> String {
    format!("{:.1}", part as f64 * 100.0 / whole.max(1) as f64)
}

fn column(key: &str, en: &str, zh: &str) -> Column {
    Column {
        key: key.into(),
        name: Text::new(en, zh),
    }
}

/// The chart of `runs`, each of `count` messages of `size` bytes.
pub fn chart(runs: &[Measured], count: u32, size: usize) -> Chart {
    let rows = runs
        .iter()
        .map(|m| Row {
            name: Text::new(
                format!("reader pauses {} µs per read", m.pause_us),
                format!("每读一次暂停 {} µs", m.pause_us),
            ),
            values: vec![
                percent(m.udp.received, m.udp.sent),
                percent(m.tcp.received_bytes, m.tcp.sent_bytes),
                format!("{:.2}", m.udp.send_time.as_secs_f64()),
                format!("{:.2}", m.tcp.send_time.as_secs_f64()),
            ],
        })
        .collect();
    Chart {
        title: Text::new(
            format!("{count} messages of {size} bytes to a slow reader: UDP drops, TCP waits"),
            format!("向读得慢的一方发 {count} 条 {size} 字节的消息：UDP 丢包，TCP 等待"),
        ),
        columns: vec![
            column("udp_pct", "UDP", "UDP"),
            column("tcp_pct", "TCP", "TCP"),
            column("udp_s", "UDP: its sendto() loop", "UDP：sendto() 循环"),
            column("tcp_s", "TCP: its write() loop", "TCP：write() 循环"),
        ],
        panels: vec![
            Panel {
                columns: vec!["udp_pct".into(), "tcp_pct".into()],
                axis: Text::new("% of the messages delivered", "送达的消息（%）"),
            },
            Panel {
                columns: vec!["udp_s".into(), "tcp_s".into()],
                axis: Text::new(
                    "seconds the sender spent sending",
                    "发送方花在发送上的时间（秒）",
                ),
            },
        ],
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Checksum;
    use std::time::Duration;

    fn measured(pause_us: u64, received: u64, udp_ms: u64, tcp_ms: u64) -> Measured {
        let udp = UdpReport {
            sent: 200,
            send_errors: 0,
            received,
            each_whole: true,
            size: 16,
            in_order: true,
            first_gaps: vec![],
            rcvbuf: 8192,
            socket_drops: 200 - received,
            rcvbuf_errors_delta: 200 - received,
            send_time: Duration::from_millis(udp_ms),
            elapsed: Duration::from_millis(udp_ms),
        };
        let tcp = TcpReport {
            sent_bytes: 3200,
            received_bytes: 3200,
            sent_sum: Checksum::default(),
            received_sum: Checksum::default(),
            rcvbuf: 8192,
            sndbuf: 8192,
            writes: 200,
            blocked_writes: 0,
            blocked_time: Duration::ZERO,
            longest_write: Duration::ZERO,
            write_time: Duration::from_millis(1),
            send_time: Duration::from_millis(tcp_ms),
            max_unacked: 0,
            unsent_then: 0,
            samples: 0,
            zero_window_delta: None,
        };
        Measured { pause_us, udp, tcp }
    }

    #[test]
    fn the_chart_shows_the_share_delivered_and_the_senders_time() {
        let c = chart(
            &[measured(0, 150, 10, 20), measured(50, 31, 7, 2346)],
            200,
            16,
        );
        assert_eq!(
            c.title.en,
            "200 messages of 16 bytes to a slow reader: UDP drops, TCP waits"
        );
        assert_eq!(c.rows[0].name.en, "reader pauses 0 µs per read");
        assert_eq!(c.rows[1].name.zh, "每读一次暂停 50 µs");
        assert_eq!(c.rows[0].values, ["75.0", "100.0", "0.01", "0.02"]);
        assert_eq!(c.rows[1].values, ["15.5", "100.0", "0.01", "2.35"]);
        // It is a chart the data file can hold and draw.
        let data = c.to_data(&[]);
        assert_eq!(demo_kit::plot::parse(&data).unwrap(), c);
    }
}
