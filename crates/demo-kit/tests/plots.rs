//! Every plot under docs/images/ is what its data file draws (issue 26).
//!
//! A plot of measured data is committed beside the data it was drawn from
//! (`NAME.csv`, `NAME.svg`, `NAME.zh-CN.svg`, written by the demo that
//! measured, see `demo_kit::plot`). This test redraws both SVGs from the
//! data file and requires the identical bytes, so a picture cannot drift
//! from its numbers: a number edited in the data, or an SVG touched by
//! hand, fails here, naming the file. An SVG without a data file fails too.
//!
//! When the drawing code itself changes, redraw every picture from the
//! committed data (no run is repeated):
//! `PLOTS_REDRAW=1 cargo test -p demo-kit --test plots`.

mod common;

use common::workspace_root;
use demo_kit::plot::{parse, svg, Lang};
use std::fs;
use std::path::Path;

/// Where two texts first differ, as `line N: "want" vs "got"`.
fn first_difference(want: &str, got: &str) -> String {
    let (mut w, mut g) = (want.lines(), got.lines());
    for n in 1.. {
        match (w.next(), g.next()) {
            (None, None) => break,
            (a, b) if a != b => {
                return format!(
                    "line {n}: drawn {:?}, committed {:?}",
                    a.unwrap_or("<end>"),
                    b.unwrap_or("<end>")
                )
            }
            _ => {}
        }
    }
    "only in the line endings".into()
}

/// The problems with the plots in `dir`: each SVG must be what its data
/// file draws. With `redraw`, a differing SVG is rewritten instead.
fn check(dir: &Path, redraw: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let mut names: Vec<String> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect(),
        Err(e) => return vec![format!("{}: {e}", dir.display())],
    };
    names.sort();
    for name in &names {
        if let Some(stem) = name.strip_suffix(".svg") {
            let stem = stem.strip_suffix(".zh-CN").unwrap_or(stem);
            if !names.contains(&format!("{stem}.csv")) {
                problems.push(format!(
                    "{name}: no data file {stem}.csv beside it to draw it from"
                ));
            }
        }
        let Some(stem) = name.strip_suffix(".csv") else {
            continue;
        };
        let data = fs::read_to_string(dir.join(name)).expect("a data file is text");
        let chart = match parse(&data) {
            Ok(c) => c,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        for (lang, file) in [
            (Lang::En, format!("{stem}.svg")),
            (Lang::Zh, format!("{stem}.zh-CN.svg")),
        ] {
            let drawn = svg(&chart, lang);
            let path = dir.join(&file);
            match fs::read_to_string(&path) {
                Ok(committed) if committed == drawn => {}
                _ if redraw => fs::write(&path, drawn).expect("writing a redrawn SVG"),
                Ok(committed) => problems.push(format!(
                    "{file} is not what {name} draws ({}): redraw it with the command in {name}, or, if only the drawing code changed, PLOTS_REDRAW=1 cargo test -p demo-kit --test plots",
                    first_difference(&drawn, &committed)
                )),
                Err(e) => problems.push(format!("{file}: {e} (drawn from {name})")),
            }
        }
    }
    problems
}

/// The lessons' plots: each must exist, and its lesson page shows it in
/// both editions (the Chinese page the picture with Chinese labels).
const LESSON_PLOTS: &[(&str, &str)] = &[
    ("04-reliability", "04-reliability.md"),
    ("15-gil", "15-threads.md"),
    ("20-c10k", "20-c10k.md"),
];

#[test]
fn every_plot_is_what_its_data_draws() {
    let root = workspace_root();
    let dir = root.join("docs/images");
    let redraw = std::env::var_os("PLOTS_REDRAW").is_some();
    let mut problems = check(&dir, redraw);
    for (plot, page) in LESSON_PLOTS {
        if !dir.join(format!("{plot}.csv")).is_file() {
            problems.push(format!(
                "docs/images/{plot}.csv: missing (lesson page {page})"
            ));
        }
        for (md, img) in [
            (format!("docs/{page}"), format!("](images/{plot}.svg)")),
            (
                format!("docs/zh-CN/{page}"),
                format!("](../images/{plot}.zh-CN.svg)"),
            ),
        ] {
            let text = fs::read_to_string(root.join(&md)).unwrap_or_default();
            if !text.contains(&img) {
                problems.push(format!(
                    "{md} does not show its plot: no ![…]({})",
                    &img[2..img.len() - 1]
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The check itself, on a folder of its own: a good plot passes; a changed
/// number, a hand-edited picture, a missing twin and an orphan SVG fail,
/// each naming its file.
#[test]
fn the_check_fails_naming_the_file() {
    let dir = std::env::temp_dir().join(format!(
        "plots-check-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    let data = "# title: T\n# title.zh-CN: 标题\n# panel: v | A | 轴\nname,name.zh-CN,v\na,甲,10\nb,乙,4\n";
    let chart = parse(data).unwrap();
    demo_kit::plot::write(&dir, "p", &[], &chart).unwrap();
    assert_eq!(check(&dir, false), Vec::<String>::new());

    fs::write(dir.join("p.csv"), data.replace("b,乙,4", "b,乙,5")).unwrap();
    let problems = check(&dir, false);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].starts_with("p.svg is not what p.csv draws (line "),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].starts_with("p.zh-CN.svg is not what p.csv draws"),
        "{}",
        problems[1]
    );

    fs::write(dir.join("p.csv"), data).unwrap();
    fs::remove_file(dir.join("p.zh-CN.svg")).unwrap();
    fs::write(dir.join("q.svg"), "<svg/>").unwrap();
    let problems = check(&dir, false);
    assert!(problems[0].starts_with("p.zh-CN.svg: "), "{problems:?}");
    assert_eq!(
        problems[1],
        "q.svg: no data file q.csv beside it to draw it from"
    );
    fs::remove_dir_all(&dir).unwrap();
}
