//! The drawing: a [`Chart`] as SVG text, one language at a time.
//!
//! Layout, top to bottom: the title; then each panel with its axis name, a
//! legend when it draws more than one column, one group of bars per row
//! (the row's name on the left, each bar's value at its end), and the axis
//! with its ticks under the bars. Text widths are estimated (a CJK
//! character as wide as the font is high, anything else 0.6 of it), enough
//! to leave room for the labels without measuring fonts.

use super::{number, Chart, Lang};
use std::fmt::Write as _;

const WIDTH: f64 = 720.0;
const PAD: f64 = 16.0;
const FONT: f64 = 13.0;
const BAR: f64 = 16.0;
const BAR_GAP: f64 = 3.0;
const GROUP_GAP: f64 = 12.0;
/// The bars get at least this much room, however long the labels.
const MIN_BARS: f64 = 400.0;
const COLORS: [&str; 4] = ["#4878a8", "#e07b39", "#5a9e58", "#c44e52"];

/// Estimated width of `s` at font size `size`: CJK and full-width forms
/// (U+2E80 and up) are `size` wide, anything else `0.6 * size`.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if c >= '\u{2E80}' { size } else { 0.6 * size })
        .sum()
}

/// The axis's end and its tick step for values up to `max`: the step is
/// 1, 2, 2.5, 5 or 10 times a power of ten, the first at least a fifth of
/// `max`; the end is the first multiple of the step at or above `max`
/// (so 2 to 5 steps). All zeros: 0..1.
pub fn axis_end(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, 0.25);
    }
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    (step * (max / step - 1e-9).ceil(), step)
}

/// A tick's label: whole numbers with a comma every three digits
/// (`40,000`), others with at most three decimals (`0.5`, `2.25`). A tick
/// is a whole multiple of its step, so a whole step gives exact integers.
pub fn tick_label(v: f64) -> String {
    if v.fract() == 0.0 {
        let digits = format!("{}", v as u64);
        let mut out = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(d);
        }
        out
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Text for XML: `&`, `<`, `>` and `"` escaped.
pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One coordinate, always with one decimal.
fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// The alt text: every panel's values, in the page's language.
pub(super) fn describe(chart: &Chart, lang: Lang) -> String {
    let (colon, semi, comma, stop) = match lang {
        Lang::En => (": ", "; ", ", ", ". "),
        Lang::Zh => ("：", "；", "，", "。"),
    };
    let mut parts = vec![chart.title.get(lang).to_string()];
    for p in &chart.panels {
        let rows: Vec<String> = chart
            .rows
            .iter()
            .map(|r| {
                let values: Vec<String> = p
                    .columns
                    .iter()
                    .map(|key| {
                        let c = chart
                            .columns
                            .iter()
                            .position(|c| &c.key == key)
                            .unwrap_or(0);
                        let name = chart.columns[c].name.get(lang);
                        format!("{name} {}", r.values[c])
                    })
                    .collect();
                format!("{} {}", r.name.get(lang), values.join(comma))
            })
            .collect();
        parts.push(format!("{}{colon}{}", p.axis.get(lang), rows.join(semi)));
    }
    parts.join(stop) + stop.trim_end()
}

/// The chart as an SVG document in `lang`.
pub fn svg(chart: &Chart, lang: Lang) -> String {
    let index = |key: &String| {
        chart
            .columns
            .iter()
            .position(|c| &c.key == key)
            .unwrap_or(0)
    };
    let label_w = chart
        .rows
        .iter()
        .map(|r| text_width(r.name.get(lang), FONT))
        .fold(0.0, f64::max);
    let value_w = chart
        .rows
        .iter()
        .flat_map(|r| &r.values)
        .map(|v| text_width(v, FONT))
        .fold(0.0, f64::max);
    let x0 = PAD + label_w + 10.0;
    let width = WIDTH
        .max(x0 + MIN_BARS + value_w + 6.0 + PAD)
        .max(text_width(chart.title.get(lang), 16.0) + 2.0 * PAD);
    let bars_w = width - x0 - value_w - 6.0 - PAD;
    let mut body = String::new();
    let b = &mut body;
    let mut y = 26.0;
    let _ = writeln!(
        b,
        r#"<text x="{}" y="{}" font-size="16" font-weight="bold">{}</text>"#,
        n(PAD),
        n(y),
        escape(chart.title.get(lang))
    );
    for p in &chart.panels {
        let cols: Vec<usize> = p.columns.iter().map(index).collect();
        let max = chart
            .rows
            .iter()
            .flat_map(|r| cols.iter().map(|&c| number(&r.values[c]).unwrap_or(0.0)))
            .fold(0.0, f64::max);
        let (end, step) = axis_end(max);
        y += 30.0;
        let _ = writeln!(
            b,
            r#"<text x="{}" y="{}" font-weight="bold">{}</text>"#,
            n(PAD),
            n(y),
            escape(p.axis.get(lang))
        );
        if cols.len() > 1 {
            y += 20.0;
            let mut x = x0;
            for (i, &c) in cols.iter().enumerate() {
                let name = chart.columns[c].name.get(lang);
                let _ = writeln!(
                    b,
                    r#"<rect x="{}" y="{}" width="10" height="10" fill="{}"/>"#,
                    n(x),
                    n(y - 9.0),
                    COLORS[i % 4]
                );
                let _ = writeln!(
                    b,
                    r#"<text x="{}" y="{}">{}</text>"#,
                    n(x + 14.0),
                    n(y),
                    escape(name)
                );
                x += 14.0 + text_width(name, FONT) + 16.0;
            }
        }
        y += 12.0;
        let top = y;
        let mut marks = String::new();
        for r in &chart.rows {
            let group_top = y;
            for (i, &c) in cols.iter().enumerate() {
                let len = number(&r.values[c]).unwrap_or(0.0) / end * bars_w;
                let _ = writeln!(
                    marks,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
                    n(x0),
                    n(y),
                    n(len),
                    n(BAR),
                    COLORS[i % 4]
                );
                let _ = writeln!(
                    marks,
                    r#"<text x="{}" y="{}">{}</text>"#,
                    n(x0 + len + 6.0),
                    n(y + BAR - 4.0),
                    escape(&r.values[c])
                );
                y += BAR + BAR_GAP;
            }
            let middle = (group_top + y - BAR_GAP) / 2.0;
            let _ = writeln!(
                marks,
                r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
                n(x0 - 8.0),
                n(middle + 4.5),
                escape(r.name.get(lang))
            );
            y += GROUP_GAP - BAR_GAP;
        }
        let bottom = y - GROUP_GAP / 2.0;
        // At most 100 ticks: a step of zero (a broken axis_end) must not loop for ever.
        let ticks = ((end / step).round() as usize).min(100);
        for t in 0..=ticks {
            let v = step * t as f64;
            let x = x0 + v / end * bars_w;
            let _ = writeln!(
                b,
                r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#dddddd"/>"##,
                n(x),
                n(top - 4.0),
                n(x),
                n(bottom + 4.0)
            );
            let _ = writeln!(
                b,
                r##"<text x="{}" y="{}" text-anchor="middle" fill="#555555">{}</text>"##,
                n(x),
                n(bottom + 18.0),
                tick_label(v)
            );
        }
        b.push_str(&marks);
        let _ = writeln!(
            b,
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333333"/>"##,
            n(x0),
            n(top - 4.0),
            n(x0),
            n(bottom)
        );
        let _ = writeln!(
            b,
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333333"/>"##,
            n(x0),
            n(bottom),
            n(x0 + bars_w),
            n(bottom)
        );
        y = bottom + 18.0;
    }
    let height = y + PAD;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img" aria-labelledby="title desc" font-family="sans-serif" font-size="13">"#,
        n(width),
        n(height)
    );
    let _ = writeln!(
        out,
        r#"<title id="title">{}</title>"#,
        escape(chart.title.get(lang))
    );
    let _ = writeln!(
        out,
        r#"<desc id="desc">{}</desc>"#,
        escape(&describe(chart, lang))
    );
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}
