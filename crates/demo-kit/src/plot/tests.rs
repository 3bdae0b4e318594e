//! The plot module's tests: exact coordinates for small charts worked out
//! by hand (the numbers in the comments), scaling, zero values, the widest
//! label, every error of the data file, and the round trip through a file.

use super::draw::{describe, escape};
use super::*;

/// One column `v`, rows a = 10 and b = 0.
const A: &str = "# title: T\n# title.zh-CN: 标题\n# series: v | V | 值\n# panel: v | A | 轴\n\
                 name,name.zh-CN,v\na,甲,10\nb,乙,0\n";
/// Two columns in one panel (a legend), one row r = (1, 3).
const B: &str = "# title: T\n# title.zh-CN: 标题\n# series: p | P | 甲列\n# series: q | Q | 乙列\n\
                 # panel: p,q | A | 轴\nname,name.zh-CN,p,q\nr,行,1,3\n";

fn err(data: &str) -> String {
    parse(data).unwrap_err().to_string()
}

/// Chart A in English, worked out by hand: the labels are 7.8 wide (one
/// character, 0.6 x 13), so the bars start at x0 = 16 + 7.8 + 10 = 33.8; the
/// widest value "10" is 15.6, so the bars may be 720 - 33.8 - 15.6 - 6 - 16 =
/// 648.6 long. The axis ends at 10 in steps of 2 (129.72 each). Title at
/// y 26, axis name at 56, bars from 68 (16 high, 19 apart, 12 between
/// groups): a at 68, b at 96; the axis at 118; tick labels at 136; 152 high.
const A_EN: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="720.0" height="152.0" viewBox="0 0 720.0 152.0" role="img" aria-labelledby="title desc" font-family="sans-serif" font-size="13">
<title id="title">T</title>
<desc id="desc">T. A: a V 10; b V 0.</desc>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="16.0" y="26.0" font-size="16" font-weight="bold">T</text>
<text x="16.0" y="56.0" font-weight="bold">A</text>
<line x1="33.8" y1="64.0" x2="33.8" y2="122.0" stroke="#dddddd"/>
<text x="33.8" y="136.0" text-anchor="middle" fill="#555555">0</text>
<line x1="163.5" y1="64.0" x2="163.5" y2="122.0" stroke="#dddddd"/>
<text x="163.5" y="136.0" text-anchor="middle" fill="#555555">2</text>
<line x1="293.2" y1="64.0" x2="293.2" y2="122.0" stroke="#dddddd"/>
<text x="293.2" y="136.0" text-anchor="middle" fill="#555555">4</text>
<line x1="423.0" y1="64.0" x2="423.0" y2="122.0" stroke="#dddddd"/>
<text x="423.0" y="136.0" text-anchor="middle" fill="#555555">6</text>
<line x1="552.7" y1="64.0" x2="552.7" y2="122.0" stroke="#dddddd"/>
<text x="552.7" y="136.0" text-anchor="middle" fill="#555555">8</text>
<line x1="682.4" y1="64.0" x2="682.4" y2="122.0" stroke="#dddddd"/>
<text x="682.4" y="136.0" text-anchor="middle" fill="#555555">10</text>
<rect x="33.8" y="68.0" width="648.6" height="16.0" fill="#4878a8"/>
<text x="688.4" y="80.0">10</text>
<text x="25.8" y="80.5" text-anchor="end">a</text>
<rect x="33.8" y="96.0" width="0.0" height="16.0" fill="#4878a8"/>
<text x="39.8" y="108.0">0</text>
<text x="25.8" y="108.5" text-anchor="end">b</text>
<line x1="33.8" y1="64.0" x2="33.8" y2="118.0" stroke="#333333"/>
<line x1="33.8" y1="118.0" x2="682.4" y2="118.0" stroke="#333333"/>
</svg>
"##;

/// Chart B in Chinese: "行" is 13 wide, x0 = 39; bars 720 - 39 - 7.8 - 6 - 16 =
/// 651.2 long; the axis 0..3 in steps of 1. The legend at y 76: a square at
/// 39, its name at 53, the next 14 + 26 ("甲列") + 16 further, at 95.
const B_ZH: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="720.0" height="163.0" viewBox="0 0 720.0 163.0" role="img" aria-labelledby="title desc" font-family="sans-serif" font-size="13">
<title id="title">标题</title>
<desc id="desc">标题。轴：行 甲列 1，乙列 3。</desc>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="16.0" y="26.0" font-size="16" font-weight="bold">标题</text>
<text x="16.0" y="56.0" font-weight="bold">轴</text>
<rect x="39.0" y="67.0" width="10" height="10" fill="#4878a8"/>
<text x="53.0" y="76.0">甲列</text>
<rect x="95.0" y="67.0" width="10" height="10" fill="#e07b39"/>
<text x="109.0" y="76.0">乙列</text>
<line x1="39.0" y1="84.0" x2="39.0" y2="133.0" stroke="#dddddd"/>
<text x="39.0" y="147.0" text-anchor="middle" fill="#555555">0</text>
<line x1="256.1" y1="84.0" x2="256.1" y2="133.0" stroke="#dddddd"/>
<text x="256.1" y="147.0" text-anchor="middle" fill="#555555">1</text>
<line x1="473.1" y1="84.0" x2="473.1" y2="133.0" stroke="#dddddd"/>
<text x="473.1" y="147.0" text-anchor="middle" fill="#555555">2</text>
<line x1="690.2" y1="84.0" x2="690.2" y2="133.0" stroke="#dddddd"/>
<text x="690.2" y="147.0" text-anchor="middle" fill="#555555">3</text>
<rect x="39.0" y="88.0" width="217.1" height="16.0" fill="#4878a8"/>
<text x="262.1" y="100.0">1</text>
<rect x="39.0" y="107.0" width="651.2" height="16.0" fill="#e07b39"/>
<text x="696.2" y="119.0">3</text>
<text x="31.0" y="110.0" text-anchor="end">行</text>
<line x1="39.0" y1="84.0" x2="39.0" y2="129.0" stroke="#333333"/>
<line x1="39.0" y1="129.0" x2="690.2" y2="129.0" stroke="#333333"/>
</svg>
"##;

#[test]
fn a_small_chart_is_drawn_exactly() {
    let a = parse(A).unwrap();
    assert_eq!(svg(&a, Lang::En), A_EN);
    assert_eq!(svg(&parse(B).unwrap(), Lang::Zh), B_ZH);
}

#[test]
fn the_largest_value_fills_the_bars_and_zero_draws_nothing() {
    let out = svg(&parse(A).unwrap(), Lang::En);
    assert!(
        out.contains(r##"<rect x="33.8" y="68.0" width="648.6" height="16.0" fill="#4878a8"/>"##)
    );
    assert!(out.contains(r##"<rect x="33.8" y="96.0" width="0.0" height="16.0" fill="#4878a8"/>"##));
    assert!(out.contains(r#"<text x="39.8" y="108.0">0</text>"#));
    // Doubling every value doubles the axis, not the bars.
    let doubled = svg(&parse(&A.replace("a,甲,10", "a,甲,20")).unwrap(), Lang::En);
    assert!(doubled.contains(r#"width="648.6""#), "{doubled}");
    assert!(doubled.contains(">20</text>") && doubled.contains(">5</text>"));
}

#[test]
fn every_value_is_zero() {
    let out = svg(&parse(&A.replace("a,甲,10", "a,甲,0")).unwrap(), Lang::En);
    assert_eq!(out.matches(r#"width="0.0""#).count(), 2);
    assert!(out.contains(">0.25</text>") && out.contains(">1</text>"));
}

#[test]
fn the_picture_grows_with_its_longest_label_or_title() {
    let long = "x".repeat(100); // 780 wide: x0 = 806, width = 806 + 400 + 15.6 + 6 + 16
    let out = svg(
        &parse(&A.replace("a,甲", &format!("{long},甲"))).unwrap(),
        Lang::En,
    );
    assert!(out.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" width="1243.6" height="152.0" viewBox="0 0 1243.6 152.0""#), "{out}");
    assert!(out.contains(r#"<rect x="806.0" y="68.0" width="400.0""#));
    let title = "t".repeat(200); // 200 x 9.6 + 2 x 16
    let out = svg(
        &parse(&A.replace("title: T", &format!("title: {title}"))).unwrap(),
        Lang::En,
    );
    assert!(out.contains(r#"width="1952.0""#), "{out}");
    assert!(out.contains(r#"<rect x="33.8" y="68.0" width="1880.6""#));
}

#[test]
fn two_panels_stack_with_their_own_axes() {
    let two = B.replace(
        "# panel: p,q | A | 轴",
        "# panel: p | A | 轴\n# panel: q | Bq | 乙轴",
    );
    let out = svg(&parse(&two).unwrap(), Lang::En);
    // Panel 1: axis name at 56, bar at 68, axis at 90, ticks at 108; panel 2
    // 30 lower, at 138: its bar at 150, its axis at 172, its ticks at 190.
    // Bars 720 - 33.8 - 7.8 - 6 - 16 = 656.4 long, each panel to its own end.
    assert!(
        out.contains(r#"<text x="16.0" y="56.0" font-weight="bold">A</text>"#),
        "{out}"
    );
    assert!(
        out.contains(r##"<rect x="33.8" y="68.0" width="656.4" height="16.0" fill="#4878a8"/>"##)
    );
    assert!(out.contains(r##"<line x1="33.8" y1="90.0" x2="690.2" y2="90.0" stroke="#333333"/>"##));
    assert!(out.contains(r#"<text x="16.0" y="138.0" font-weight="bold">Bq</text>"#));
    assert!(
        out.contains(r##"<rect x="33.8" y="150.0" width="656.4" height="16.0" fill="#4878a8"/>"##)
    );
    assert!(
        out.contains(r##"<text x="690.2" y="190.0" text-anchor="middle" fill="#555555">3</text>"##)
    );
    assert!(out.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" width="720.0" height="206.0""#));
}

#[test]
fn the_alt_text_lists_every_value_in_the_pages_language() {
    assert_eq!(
        describe(&parse(A).unwrap(), Lang::En),
        "T. A: a V 10; b V 0."
    );
    assert_eq!(
        describe(&parse(A).unwrap(), Lang::Zh),
        "标题。轴：甲 值 10；乙 值 0。"
    );
    assert_eq!(describe(&parse(B).unwrap(), Lang::En), "T. A: r P 1, Q 3.");
    let out = svg(&parse(A).unwrap(), Lang::Zh);
    assert!(out.contains(r#"role="img" aria-labelledby="title desc""#));
    assert!(out.contains(
        "<title id=\"title\">标题</title>\n<desc id=\"desc\">标题。轴：甲 值 10；乙 值 0。</desc>"
    ));
}

#[test]
fn text_is_escaped() {
    assert_eq!(escape(r#"a&b<c>"d""#), "a&amp;b&lt;c&gt;&quot;d&quot;");
    let out = svg(
        &parse(&A.replace("title: T", "title: R&D <x>")).unwrap(),
        Lang::En,
    );
    assert!(out.contains("<title id=\"title\">R&amp;D &lt;x&gt;</title>"));
}

#[test]
fn text_widths() {
    assert!((text_width("ab", 10.0) - 12.0).abs() < 1e-9);
    assert!((text_width("中文", 13.0) - 26.0).abs() < 1e-9);
    assert!((text_width("a中", 10.0) - 16.0).abs() < 1e-9);
    assert!((text_width("\u{2E80}", 10.0) - 10.0).abs() < 1e-9);
    assert!((text_width("\u{2E7F}", 10.0) - 6.0).abs() < 1e-9);
    assert_eq!(text_width("", 10.0), 0.0);
}

#[test]
fn axis_ends_and_steps() {
    let close = |max: f64, end: f64, step: f64| {
        let (e, s) = axis_end(max);
        assert!(
            (e - end).abs() < 1e-9 && (s - step).abs() < 1e-9,
            "axis_end({max}) = ({e}, {s}), expected ({end}, {step})"
        );
    };
    close(0.0, 1.0, 0.25);
    close(10.0, 10.0, 2.0);
    close(100.0, 100.0, 20.0);
    close(101.0, 125.0, 25.0);
    close(3.0, 3.0, 1.0); // a fifth is 0.6: none of 0.1, 0.2, 0.25, 0.5 is enough
    close(2.0, 2.0, 0.5);
    close(7.0, 8.0, 2.0);
    close(0.3, 0.3, 0.1);
    close(81234.0, 100000.0, 20000.0);
}

#[test]
fn tick_labels() {
    for (v, s) in [
        (0.0, "0"),
        (7.0, "7"),
        (100.0, "100"),
        (1000.0, "1,000"),
        (40000.0, "40,000"),
        (1234567.0, "1,234,567"),
        (0.5, "0.5"),
        (2.25, "2.25"),
        (0.6000000000000001, "0.6"),
        (999.9999999, "1000"), // not whole: no comma
        (1.5, "1.5"),
        (10.5, "10.5"),
        (2.0001, "2"),
        (0.125, "0.125"),
    ] {
        assert_eq!(tick_label(v), s, "tick_label({v})");
    }
}

#[test]
fn numbers() {
    assert_eq!(number("0").unwrap(), 0.0);
    assert_eq!(number("15.6").unwrap(), 15.6);
    for bad in ["-1", "inf", "NaN", "x", ""] {
        assert!(
            number(bad)
                .unwrap_err()
                .to_string()
                .contains("is not a number >= 0"),
            "{bad}"
        );
    }
}

#[test]
fn the_data_file_is_read() {
    let a = parse(&format!(
        "# command: cargo run\n\n{}",
        A.replace('\n', "\r\n")
    ))
    .unwrap();
    assert_eq!(a.title, Text::new("T", "标题"));
    assert_eq!(
        a.columns,
        [Column {
            key: "v".into(),
            name: Text::new("V", "值")
        }]
    );
    assert_eq!(
        a.panels,
        [Panel {
            columns: vec!["v".into()],
            axis: Text::new("A", "轴")
        }]
    );
    assert_eq!(
        a.rows[1],
        Row {
            name: Text::new("b", "乙"),
            values: vec!["0".into()]
        }
    );
    assert_eq!(a.rows.len(), 2);
    // A column without a series line is named by its key.
    let b = parse(&B.replace("# series: q | Q | 乙列\n", "")).unwrap();
    assert_eq!(b.columns[1].name, Text::new("q", "q"));
    assert_eq!(b.columns[0].name, Text::new("P", "甲列"));
}

#[test]
fn a_bad_data_file_says_what_is_wrong() {
    assert!(err("").contains("no header line"));
    assert!(err("# title: T\n").contains("no header line"));
    assert!(err(&A.replace("a,甲,10\nb,乙,0\n", "")).contains("no rows after the header"));
    assert!(
        err(&A.replace("name,name.zh-CN,v", "name,zh,v")).contains("line 5: the header must be")
    );
    assert!(err(&A.replace("name,name.zh-CN,v", "nom,name.zh-CN,v"))
        .contains("line 5: the header must be"));
    assert!(err(&A.replace("name,name.zh-CN,v", "name,name.zh-CN"))
        .contains("line 5: the header must be"));
    assert_eq!(
        err(&A.replace("b,乙,0", "b,乙,0,1")),
        "line 7: 4 fields, the header has 3"
    );
    assert_eq!(
        err(&A.replace("b,乙,0", "b,乙,-3")),
        "line 7: \"-3\" is not a number >= 0"
    );
    assert_eq!(
        err(&A.replace("# panel: v", "# panel: w")),
        "panel \"A\": no column \"w\" in the header"
    );
    assert!(err(&A.replace("# panel: v | A | 轴\n", "")).contains("no '# panel:' line"));
    assert!(err(&A.replace("# title: T\n", "")).contains("'# title:' and '# title.zh-CN:'"));
    assert!(
        err(&A.replace("# title.zh-CN: 标题\n", "")).contains("'# title:' and '# title.zh-CN:'")
    );
    assert_eq!(
        err(&A.replace("# series: v | V | 值", "# series: v | V")),
        "line 3: expected three parts separated by |, got \"v | V\""
    );
    assert!(
        err(&A.replace("# panel: v | A | 轴", "# panel: v | A | 轴 | x"))
            .starts_with("line 4: expected three parts")
    );
}

#[test]
fn a_chart_round_trips_through_its_data_file() {
    let b = parse(B).unwrap();
    let data = b.to_data(&["command: cargo run -p x".into(), "machine: 2 cores".into()]);
    assert!(
        data.starts_with("# command: cargo run -p x\n# machine: 2 cores\n# title: T\n"),
        "{data}"
    );
    assert_eq!(&data[data.find("# title:").unwrap()..], B);
    assert_eq!(parse(&data).unwrap(), b);
}

#[test]
fn write_puts_the_data_and_both_pictures_side_by_side() {
    let dir = std::env::temp_dir().join(format!(
        "demo-kit-plot-{}-{}",
        std::process::id(),
        // Another user's run may have left a directory of the same pid.
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let a = parse(A).unwrap();
    let paths = write(&dir.join("images"), "a", &["run: test".into()], &a).unwrap();
    let names: Vec<String> = paths
        .iter()
        .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
        .collect();
    assert_eq!(
        names,
        ["images/a.csv", "images/a.svg", "images/a.zh-CN.svg"]
    );
    assert_eq!(
        std::fs::read_to_string(&paths[0]).unwrap(),
        format!("# run: test\n{A}")
    );
    assert_eq!(std::fs::read_to_string(&paths[1]).unwrap(), A_EN);
    assert_eq!(
        std::fs::read_to_string(&paths[2]).unwrap(),
        svg(&a, Lang::Zh)
    );
    // A directory that cannot be made: an error naming it, no panic.
    let e = write(&paths[0].join("x"), "a", &[], &a)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("creating ") && e.contains("a.csv/x"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn provenance_names_the_command_the_build_and_the_machine() {
    let p = provenance("x");
    assert_eq!(p.len(), 3);
    let flag = if cfg!(debug_assertions) {
        ""
    } else {
        " --release"
    };
    assert!(
        p[0].starts_with(&format!("command: cargo run{flag} -p x -- ")),
        "{p:?}"
    );
    let cores = std::thread::available_parallelism().unwrap().get();
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    assert_eq!(
        p[1],
        format!(
            "build: {build}; machine: {cores} cores, Linux {}",
            release.trim()
        )
    );
    let figures: Vec<&str> = p[2]
        .strip_prefix("load average (1, 5, 15 min) before the run: ")
        .unwrap()
        .split(' ')
        .collect();
    assert_eq!(figures.len(), 3, "{p:?}");
    assert!(figures.iter().all(|f| f.parse::<f64>().is_ok()), "{p:?}");
}
