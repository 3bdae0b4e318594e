//! Plots of measured data, as SVG text written by our own code (issue 26).
//!
//! A lesson's plot must never drift from the run it shows. So a plot is
//! drawn from a *data file*, a small CSV whose `#` lines say what to draw,
//! and `tests/plots.rs` redraws every SVG under `docs/images/` from its data
//! file and requires the same bytes. The demos that measure write the data
//! file and the SVGs with [`write`], which parses the file it just wrote and
//! draws from that: the same path the test takes.
//!
//! Only grouped horizontal bars: each plot of the book compares a few named
//! cases (protocols, server models, threads against processes). Horizontal,
//! because the names are long and a Chinese name needs room to read. Each
//! edition gets its own SVG from the one data file (`NAME.svg`,
//! `NAME.zh-CN.svg`): a reader sees labels in one language, and both
//! pictures show the same numbers because they come from the same file.
//!
//! The data file (fields never hold a comma; a Chinese label uses `，`):
//!
//! ```text
//! # title: UDP loses what a slow reader cannot take
//! # title.zh-CN: 读得慢时，UDP 丢包
//! # series: udp | UDP | UDP              (column | English | Chinese)
//! # panel: udp,tcp | % delivered | 送达的比例（%）
//! # any other # line is a comment: the command, the machine, the run
//! name,name.zh-CN,udp,tcp
//! reader pauses 50 µs,读完暂停 50 µs,15.6,100
//! ```
//!
//! A value is drawn as written (`15.6`), so the label is the run's own
//! figure; its length is the value over the axis's end. Output is
//! deterministic: every coordinate printed with one decimal, no clock, no
//! hash map.

use crate::fail::{bail_msg, Context, Result};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

/// A label in both editions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            zh: zh.into(),
        }
    }
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// A value column: its key in the header and its name in the legend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub key: String,
    pub name: Text,
}

/// One set of bars sharing an axis: the columns it draws, for every row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panel {
    pub columns: Vec<String>,
    pub axis: Text,
}

/// One group of bars: its name and a value per column, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub name: Text,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    pub title: Text,
    pub columns: Vec<Column>,
    pub panels: Vec<Panel>,
    pub rows: Vec<Row>,
}

impl Chart {
    /// The data file: `comments` first (each becomes a `# ` line), then the
    /// chart. [`parse`] reads it back to the same chart.
    pub fn to_data(&self, comments: &[String]) -> String {
        let mut out = String::new();
        for c in comments {
            out += &format!("# {c}\n");
        }
        out += &format!(
            "# title: {}\n# title.zh-CN: {}\n",
            self.title.en, self.title.zh
        );
        for c in &self.columns {
            out += &format!("# series: {} | {} | {}\n", c.key, c.name.en, c.name.zh);
        }
        for p in &self.panels {
            out += &format!(
                "# panel: {} | {} | {}\n",
                p.columns.join(","),
                p.axis.en,
                p.axis.zh
            );
        }
        let keys: Vec<&str> = self.columns.iter().map(|c| c.key.as_str()).collect();
        out += &format!("name,name.zh-CN,{}\n", keys.join(","));
        for r in &self.rows {
            out += &format!("{},{},{}\n", r.name.en, r.name.zh, r.values.join(","));
        }
        out
    }
}

/// The three parts of a `# key: a | b | c` line.
fn three(value: &str, line: usize) -> Result<[String; 3]> {
    let parts: Vec<String> = value.split('|').map(|s| s.trim().to_string()).collect();
    match <[String; 3]>::try_from(parts) {
        Ok(p) => Ok(p),
        Err(_) => bail_msg(format!(
            "line {line}: expected three parts separated by |, got {value:?}"
        )),
    }
}

/// A value's number: finite and not negative (bars start at zero).
pub fn number(cell: &str) -> Result<f64> {
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => bail_msg(format!("{cell:?} is not a number >= 0")),
    }
}

/// Reads a data file (see the module comment).
pub fn parse(data: &str) -> Result<Chart> {
    let (mut title_en, mut title_zh) = (None, None);
    let (mut series, mut panels, mut rows) = (Vec::new(), Vec::new(), Vec::new());
    let mut header: Option<Vec<String>> = None;
    for (i, line) in data.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end())) {
        if let Some(meta) = line.strip_prefix('#') {
            let (key, value) = meta.split_once(':').unwrap_or(("", ""));
            let value = value.trim().to_string();
            match key.trim() {
                "title" => title_en = Some(value),
                "title.zh-CN" => title_zh = Some(value),
                "series" => series.push(three(&value, i)?),
                "panel" => panels.push(three(&value, i)?),
                _ => {} // a comment
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        let fields: Vec<String> = line.split(',').map(|f| f.trim().to_string()).collect();
        let Some(head) = &header else {
            if fields.len() < 3 || fields[0] != "name" || fields[1] != "name.zh-CN" {
                return bail_msg(format!(
                    "line {i}: the header must be name,name.zh-CN,<column>,…"
                ));
            }
            header = Some(fields);
            continue;
        };
        if fields.len() != head.len() {
            return bail_msg(format!(
                "line {i}: {} fields, the header has {}",
                fields.len(),
                head.len()
            ));
        }
        for cell in &fields[2..] {
            number(cell).with_context(|| format!("line {i}"))?;
        }
        let name = Text::new(fields[0].clone(), fields[1].clone());
        rows.push(Row {
            name,
            values: fields[2..].to_vec(),
        });
    }
    let Some(head) = header else {
        return bail_msg("no header line name,name.zh-CN,…: nothing to draw");
    };
    if rows.is_empty() {
        return bail_msg("no rows after the header: nothing to draw");
    }
    let columns = head[2..]
        .iter()
        .map(|key| {
            let named = series.iter().find(|s| &s[0] == key);
            let name = named.map_or(Text::new(key, key), |s| Text::new(&s[1], &s[2]));
            Column {
                key: key.clone(),
                name,
            }
        })
        .collect();
    let mut chart_panels = Vec::new();
    for [cols, en, zh] in panels {
        let cols: Vec<String> = cols.split(',').map(|c| c.trim().to_string()).collect();
        if let Some(c) = cols.iter().find(|c| !head[2..].contains(c)) {
            return bail_msg(format!("panel {en:?}: no column {c:?} in the header"));
        }
        chart_panels.push(Panel {
            columns: cols,
            axis: Text::new(en, zh),
        });
    }
    if chart_panels.is_empty() {
        return bail_msg("no '# panel:' line: nothing says which columns to draw");
    }
    let (Some(en), Some(zh)) = (title_en, title_zh) else {
        return bail_msg("a data file needs '# title:' and '# title.zh-CN:'");
    };
    Ok(Chart {
        title: Text::new(en, zh),
        columns,
        panels: chart_panels,
        rows,
    })
}

/// The data file's first comments: the command that measured (`cargo run`
/// of `package`, with `--release` in a release build, and this process's
/// own arguments), the build, and the machine (cores, kernel release, and
/// the load average: on a shared machine it moves the figures). Call it
/// before measuring: the load average after a run counts the run's own
/// threads (a server with a thread per connection adds thousands).
pub fn provenance(package: &str) -> Vec<String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let (build, flag) = if cfg!(debug_assertions) {
        ("debug", "")
    } else {
        ("release", " --release")
    };
    vec![
        format!(
            "command: cargo run{flag} -p {package} -- {}",
            args.join(" ")
        ),
        format!(
            "build: {build}; machine: {cores} cores, Linux {}",
            release.trim()
        ),
        format!(
            "load average (1, 5, 15 min) before the run: {}",
            load.join(" ")
        ),
    ]
}

/// Writes `dir/NAME.csv` (the chart, after `comments`), then draws the file
/// it wrote into `dir/NAME.svg` and `dir/NAME.zh-CN.svg`. Returns the paths.
pub fn write(dir: &Path, name: &str, comments: &[String], chart: &Chart) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let data = chart.to_data(comments);
    let parsed = parse(&data).with_context(|| format!("the data for {name}"))?;
    let mut paths = vec![dir.join(format!("{name}.csv"))];
    std::fs::write(&paths[0], &data).with_context(|| format!("writing {}", paths[0].display()))?;
    for (lang, file) in [
        (Lang::En, format!("{name}.svg")),
        (Lang::Zh, format!("{name}.zh-CN.svg")),
    ] {
        let path = dir.join(file);
        std::fs::write(&path, svg(&parsed, lang))
            .with_context(|| format!("writing {}", path.display()))?;
        paths.push(path);
    }
    Ok(paths)
}

mod draw;
pub use draw::{axis_end, svg, text_width, tick_label};

#[cfg(test)]
mod tests;
