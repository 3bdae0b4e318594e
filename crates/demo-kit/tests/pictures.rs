//! Every picture in both books is drawn by a real browser (issue 26).
//!
//! The diagrams are mermaid blocks written in the pages. The book's
//! preprocessor (mdbook-mermaid) only wraps each one in `<pre
//! class="mermaid">`; the drawing happens in the reader's browser, where a
//! typo becomes mermaid's "Syntax error in text" picture instead of the
//! diagram. So this test builds both books, opens every page that has a
//! picture in headless Chromium, lets mermaid run, and fails when a page
//! has fewer drawn diagrams than its Markdown has blocks, a diagram that
//! did not become an SVG of non-zero size, mermaid's error picture, or a
//! renderer's error text anywhere on the page (mermaid draws a flowchart
//! label holding `http://…` as "Unsupported markdown: link", in an SVG of
//! the right size: only the text gives it away). The plots of measured data
//! are SVG images (`![alt](images/NAME.svg)`): each must load and take up
//! room on the page.
//!
//! Chromium cannot be asked what it drew without a debugging protocol, so
//! the test adds a script to its copy of each built page (the book itself
//! is unchanged): once mermaid has drawn every block and every image has
//! loaded, the script measures each `<svg>` and `<img>` and reports one
//! line per picture. Starting Chromium costs more than checking a page, so
//! it starts twice (one a core), each time on a harness page that opens
//! every other page in an iframe, one after the other, takes the report
//! each page's script posts to it (`postMessage`) and writes them all into
//! its own DOM, which `--dump-dom` prints.
//!
//! Needs `chromium`, `mdbook` and `mdbook-mermaid`, so it is `#[ignore]`d:
//! `.ci/run` installs them when missing and runs it with
//! `cargo test -p demo-kit --test pictures -- --ignored`. It first proves
//! itself on a small book: one good diagram, two broken ones, and a page
//! with an image that loads and one that does not.
//!
//! Without a browser, two checks run with every `cargo test`: each lesson
//! page of both editions has a picture, and no diagram label holds a `#`
//! (which mermaid cuts off without an error).

mod common;
#[path = "common/mdbook.rs"]
mod mdbook;

use common::workspace_root;
use demo_kit::testing::OutputWithin;
use mdbook::mdbook_build;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Added before `</body>` of the test's copy of a page. Waits (at most
/// 15 s) until mermaid has drawn every block and every image of the page's
/// text has loaded, then reports each diagram as `diagram svg=0|1 w=W h=H role=R`, each image (the plots of
/// measured data) as `image loaded=0|1 w=W h=H` and the page as
/// `error-text=0|1`: to the harness page when the page is in its iframe
/// ([`HARNESS`]), else in `<pre id="pictures-check">` of the page itself
/// (to look at one page by hand with `chromium --headless --dump-dom`).
const CHECK_SCRIPT: &str = r#"<script>
(() => {
  const started = Date.now();
  // mermaid marks a block processed before it draws it, draws into a
  // scratch <div> inside the block, then puts the finished SVG in the
  // block's place; the picture of a syntax error stays in the scratch one.
  const drawn = p => p.querySelector(':scope > svg, :scope > div > svg[aria-roledescription="error"]');
  function report() {
    const pres = [...document.querySelectorAll('pre.mermaid')];
    // mdBook 0.5 writes each image twice: the page's, and a hidden copy for
    // its click-to-zoom (inside .img-wrapper). The page's one is checked.
    const imgs = [...document.querySelectorAll('main img')]
      .filter(i => !i.closest('.img-wrapper'));
    const done = pres.every(p => p.getAttribute('data-processed') === 'true' && drawn(p))
      && imgs.every(i => i.complete);
    if (!done && Date.now() - started < 15000) { setTimeout(report, 20); return; }
    const lines = pres.map(p => {
      const svg = drawn(p);
      const r = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
      const role = svg ? (svg.getAttribute('aria-roledescription') || '-') : '-';
      return `diagram svg=${svg ? 1 : 0} w=${Math.round(r.width)} h=${Math.round(r.height)} role=${role}`;
    });
    for (const i of imgs) {
      const r = i.getBoundingClientRect();
      lines.push(`image loaded=${i.naturalWidth > 0 ? 1 : 0} w=${Math.round(r.width)} h=${Math.round(r.height)}`);
    }
    const text = document.body.innerText;
    const bad = /Syntax error|Parse error|Lexical error|error in text|Unsupported markdown/.test(text);
    lines.push(`error-text=${bad ? 1 : 0}`);
    const found = '\n' + lines.join('\n') + '\n';
    if (window.parent !== window) {
      window.parent.postMessage({ picturesCheck: found }, '*');
      return;
    }
    const out = document.createElement('pre');
    out.id = 'pictures-check';
    out.textContent = found;
    document.body.appendChild(out);
  }
  window.addEventListener('load', () => setTimeout(report, 0));
})();
</script>
"#;

/// The page one Chromium opens; `PAGES` becomes the list of the checked
/// copies' addresses, relative to the site's root where it is written.
///
/// `--dump-dom` prints the DOM at the harness's `load` event, which waits
/// until every frame in it has finished loading; an `about:blank` frame
/// whose document is open (`document.open()`) has not finished until
/// `document.close()`. So the harness holds one open while it works, in
/// real time: `--virtual-time-budget` (which the test used when it opened
/// each page on its own) stops the page's clock while it computes, and
/// mermaid names each drawing `mermaid-<Date.now()>`, so on a later page,
/// with everything cached, two diagrams drawn in the same frozen
/// millisecond got one name and the second was drawn wrong.
///
/// It opens the pages one after the other in a full-window iframe (one
/// renderer draws them all; two at once took more CPU time, not less),
/// moves on when the page's report arrives or after 30 s (the page's own
/// limit is 15 s from its load), and then writes
/// `<section id="page-N"><pre id="pictures-check">…</pre></section>` for
/// page N of the list, an empty section for a page that never reported.
const HARNESS: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>pictures check</title>
<style>body { margin: 0 } iframe { position: absolute; top: 0; left: 0;
width: 100%; height: 100%; border: 0 }</style></head>
<body><script>
const pages = PAGES;
const holder = document.createElement('iframe');
document.body.appendChild(holder);
holder.contentDocument.open();
const reports = [];
let n = -1, frame = null, timer = null;
function next(report) {
  if (frame) {
    if (report !== undefined) reports[n] = report;
    clearTimeout(timer);
    frame.remove();
    frame = null;
  }
  if (++n < pages.length) {
    frame = document.createElement('iframe');
    frame.src = pages[n];
    document.body.appendChild(frame);
    timer = setTimeout(next, 30000);
    return;
  }
  const all = document.createElement('div');
  all.id = 'pictures-report';
  pages.forEach((_, i) => {
    const section = document.createElement('section');
    section.id = 'page-' + i;
    if (reports[i] !== undefined) {
      const pre = document.createElement('pre');
      pre.id = 'pictures-check';
      pre.textContent = reports[i];
      section.appendChild(pre);
    }
    all.appendChild(section);
  });
  document.body.appendChild(all);
  holder.contentDocument.close();
}
window.addEventListener('message', e => {
  if (frame && e.source === frame.contentWindow
      && e.data && typeof e.data.picturesCheck === 'string') next(e.data.picturesCheck);
});
next();
</script></body></html>
"#;

/// How many mermaid blocks a Markdown page has (a fence line ```` ```mermaid ````).
fn mermaid_blocks(markdown: &str) -> usize {
    markdown
        .lines()
        .filter(|l| l.trim() == "```mermaid")
        .count()
}

/// How many SVG images a Markdown page shows (`![alt](…/images/NAME.svg)`).
fn svg_images(markdown: &str) -> usize {
    markdown
        .split("![")
        .skip(1)
        .filter(|rest| {
            rest.split_once("](")
                .and_then(|(_, target)| target.split(')').next())
                .is_some_and(|t| t.ends_with(".svg"))
        })
        .count()
}

/// The pictures a page's Markdown has, which the browser must show.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Expected {
    diagrams: usize,
    images: usize,
}

/// What is wrong with one page, from the lines the script wrote, given the
/// pictures its Markdown has. Empty when every one was drawn.
fn problems_in(page: &str, expected: Expected, dom: &str) -> Vec<String> {
    let Some(start) = dom.find("<pre id=\"pictures-check\">") else {
        return vec![format!(
            "{page}: the check never reported (mermaid still busy after 15 s, or the page's scripts failed)"
        )];
    };
    let report = &dom[start..];
    let report = &report[..report.find("</pre>").unwrap_or(report.len())];
    let mut problems = Vec::new();
    let (mut drawn, mut shown) = (0, 0);
    let nonzero = |n: &str| n.parse::<u32>().unwrap_or(0) > 0;
    for line in report.lines() {
        if line == "error-text=1" {
            problems.push(format!("{page}: the page shows a renderer's error text"));
        }
        let field = |name: &str| {
            line.split(' ')
                .find_map(|f| f.strip_prefix(name))
                .unwrap_or("")
                .to_string()
        };
        if line.starts_with("image ") {
            shown += 1;
            let (loaded, w, h) = (field("loaded="), field("w="), field("h="));
            if loaded != "1" || !nonzero(&w) || !nonzero(&h) {
                problems.push(format!("{page}: image {shown} did not load (size {w}x{h})"));
            }
            continue;
        }
        if !line.starts_with("diagram ") {
            continue;
        }
        drawn += 1;
        let (svg, w, h, role) = (field("svg="), field("w="), field("h="), field("role="));
        if svg != "1" {
            problems.push(format!("{page}: diagram {drawn} did not become an SVG"));
        } else if role == "error" {
            problems.push(format!(
                "{page}: diagram {drawn} is mermaid's error picture (a syntax error)"
            ));
        } else if !nonzero(&w) || !nonzero(&h) {
            problems.push(format!("{page}: diagram {drawn} has size {w}x{h}"));
        }
    }
    if drawn != expected.diagrams {
        problems.push(format!(
            "{page}: {drawn} diagram(s) in the browser, {} in the Markdown",
            expected.diagrams
        ));
    }
    if shown != expected.images {
        problems.push(format!(
            "{page}: {shown} image(s) in the browser, {} in the Markdown",
            expected.images
        ));
    }
    problems
}

/// `s` as a JavaScript string literal (for the harness's list of pages).
fn js_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            // `<` so that no `</script>` can end the harness's script early.
            '<' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The harness page for `pages` (addresses relative to it).
fn harness_page(pages: &[String]) -> String {
    let list: Vec<String> = pages.iter().map(|p| js_string(p)).collect();
    HARNESS.replace("PAGES", &format!("[{}]", list.join(", ")))
}

/// The report of page `n` in the DOM the harness ended with; empty when
/// that page (or the whole harness) never reported.
fn page_report(dom: &str, n: usize) -> &str {
    let open = format!("<section id=\"page-{n}\">");
    let Some(start) = dom.find(&open) else {
        return "";
    };
    let rest = &dom[start + open.len()..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

/// Checks `pages` (each with what its Markdown shows) of the site built
/// into `site` in one headless Chromium: writes a copy of each built page
/// with [`CHECK_SCRIPT`] and a [`HARNESS`] that opens them, and reads each
/// page's report from the DOM Chromium ends with.
fn check_in_one_browser(site: &Path, pages: &[(PathBuf, Expected)]) -> Vec<String> {
    static LAUNCHES: AtomicUsize = AtomicUsize::new(0);
    let launch = LAUNCHES.fetch_add(1, Ordering::SeqCst);
    let mut addresses = Vec::new();
    for (page, _) in pages {
        let html = site.join(page).with_extension("html");
        let text = fs::read_to_string(&html).unwrap_or_else(|e| {
            panic!(
                "{} has a picture but was not built ({e}): is it in SUMMARY.md?",
                page.display()
            )
        });
        fs::write(
            html.with_extension("check.html"),
            text.replace("</body>", &format!("{CHECK_SCRIPT}</body>")),
        )
        .expect("the test writes into its own build");
        let address: Vec<String> = page
            .with_extension("check.html")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        addresses.push(address.join("/"));
    }
    let harness = site.join(format!("pictures-harness-{launch}.html"));
    fs::write(&harness, harness_page(&addresses)).expect("the test writes into its own build");
    let profile =
        std::env::temp_dir().join(format!("pictures-chromium-{}-{launch}", std::process::id()));
    let _ = fs::remove_dir_all(&profile);
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--allow-file-access-from-files",
        ])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", harness.display()))
        // The harness gives up on a page after 30 s; a page takes well
        // under 1 s on a quiet machine.
        .output_within_limit(Duration::from_secs(60 + 5 * pages.len() as u64));
    let _ = fs::remove_dir_all(&profile);
    assert!(
        out.status.success(),
        "chromium failed on {}: {}",
        harness.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    pages
        .iter()
        .enumerate()
        .flat_map(|(n, (page, expected))| {
            problems_in(&page.display().to_string(), *expected, page_report(&dom, n))
        })
        .collect()
}

/// Every Markdown page below `dir` with at least one picture: (page relative
/// to `dir`, what it shows).
fn pages_with_pictures(dir: &Path, rel: &Path, found: &mut Vec<(PathBuf, Expected)>) {
    let mut entries: Vec<_> = fs::read_dir(dir.join(rel))
        .expect("the docs folder")
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = rel.join(entry.file_name());
        if entry.path().is_dir() {
            pages_with_pictures(dir, &name, found);
        } else if name.extension().is_some_and(|e| e == "md") {
            let text = fs::read_to_string(entry.path()).unwrap_or_default();
            let expected = Expected {
                diagrams: mermaid_blocks(&text),
                images: svg_images(&text),
            };
            if expected.diagrams + expected.images > 0 {
                found.push((name, expected));
            }
        }
    }
}

/// Checks every page with a picture in the site built from `docs` into
/// `site` (a page's `.md` becomes `.html` at the same place), in two
/// Chromiums at once (one a core), each with every other page; returns the
/// problems and the number of pages checked.
fn check_site(docs: &Path, site: &Path) -> (Vec<String>, usize) {
    let mut pages = Vec::new();
    pages_with_pictures(docs, Path::new(""), &mut pages);
    let halves: Vec<Vec<(PathBuf, Expected)>> = vec![
        pages.iter().step_by(2).cloned().collect(),
        pages.iter().skip(1).step_by(2).cloned().collect(),
    ];
    let problems = std::thread::scope(|s| {
        let browsers: Vec<_> = halves
            .iter()
            .filter(|half| !half.is_empty())
            .map(|half| s.spawn(move || check_in_one_browser(site, half)))
            .collect();
        browsers
            .into_iter()
            .flat_map(|b| b.join().expect("a checking thread"))
            .collect()
    });
    (problems, pages.len())
}

/// The checker itself, on a book of four pages: a diagram that draws, one
/// with a syntax error, one with a URL in a flowchart label, and two images,
/// one of them missing. It must pass the first page and report each fault
/// of the others, and only those.
fn checker_catches_broken_diagrams(root: &Path) {
    let book = root.join("target/pictures-selfcheck");
    let _ = fs::remove_dir_all(&book);
    fs::create_dir_all(book.join("src")).expect("target/ is writable");
    let write = |name: &str, text: &str| fs::write(book.join(name), text).expect("writable");
    write(
        "book.toml",
        "[book]\ntitle = \"check\"\nsrc = \"src\"\n\n[preprocessor.mermaid]\n\
         command = \"mdbook-mermaid\"\n\n[output.html]\n\
         additional-js = [\"mermaid.min.js\", \"mermaid-init.js\"]\n",
    );
    write(
        "src/SUMMARY.md",
        "# Summary\n\n- [Good](good.md)\n- [Bad](bad.md)\n- [Link](link.md)\n- [Image](image.md)\n",
    );
    let page = |title: &str, diagram: &str| format!("# {title}\n\n```mermaid\n{diagram}\n```\n");
    write(
        "src/good.md",
        &page("Good", "sequenceDiagram\n    A->>B: SYN"),
    );
    write(
        "src/bad.md",
        &page("Bad", "flowchart LR\n    A[unclosed --> B"),
    );
    write(
        "src/link.md",
        &page("Link", "flowchart LR\n    A[see http://localhost/] --> B"),
    );
    write(
        "src/plot.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"100\">\
         <rect width=\"200\" height=\"100\"/></svg>\n",
    );
    write(
        "src/image.md",
        "# Image\n\n![a plot](plot.svg)\n\n![a plot never drawn](missing.svg)\n",
    );
    mdbook_build(&book, &book.join("site"));
    let (problems, pages) = check_site(&book.join("src"), &book.join("site"));
    assert_eq!(pages, 4, "each page has a picture");
    let of = |page: &str| -> Vec<&String> {
        problems
            .iter()
            .filter(|p| p.starts_with(&format!("{page}:")))
            .collect()
    };
    assert!(
        of("good.md").is_empty(),
        "the good diagram must pass: {problems:?}"
    );
    assert!(
        of("bad.md").iter().any(|p| p.contains("error picture")),
        "the syntax error must be caught: {problems:?}"
    );
    assert!(
        of("link.md").iter().any(|p| p.contains("error text")),
        "the label mermaid could not draw must be caught: {problems:?}"
    );
    assert!(
        of("image.md").len() == 1 && of("image.md")[0].contains("image 2 did not load"),
        "the missing image, and only it, must be caught: {problems:?}"
    );
}

#[test]
#[ignore = "needs chromium, mdbook and mdbook-mermaid; .ci/run installs them and runs this"]
fn every_diagram_in_both_books_is_drawn_in_chromium() {
    let root = workspace_root();
    let site = root.join("target/pictures-check");
    // The self-check runs while the books build (a build mostly waits for
    // its preprocessor), and must pass before the books are looked at.
    std::thread::scope(|s| {
        let selfcheck = s.spawn(|| checker_catches_broken_diagrams(&root));
        let _ = fs::remove_dir_all(&site);
        // English first: a build empties its own destination.
        mdbook_build(&root.join("docs"), &site);
        mdbook_build(&root.join("docs/zh-CN"), &site.join("zh-CN"));
        if let Err(failed) = selfcheck.join() {
            std::panic::resume_unwind(failed);
        }
    });
    let (problems, pages) = check_site(&root.join("docs"), &site);
    assert!(pages > 0, "no page has a picture");
    assert!(
        problems.is_empty(),
        "{} problem(s) with the diagrams:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
    eprintln!("{pages} pages with pictures, every one drawn");
}

#[test]
fn the_report_is_read_line_by_line() {
    let expect = |diagrams, images| Expected { diagrams, images };
    let dom = "<pre id=\"pictures-check\">\ndiagram svg=1 w=650 h=279 role=sequence\n\
               diagram svg=1 w=512 h=109 role=error\ndiagram svg=0 w=0 h=0 role=-\n\
               diagram svg=1 w=0 h=10 role=flowchart-v2\nimage loaded=0 w=0 h=0\n\
               error-text=1\n</pre>";
    let problems = problems_in("p.md", expect(5, 2), dom);
    assert_eq!(problems.len(), 7, "{problems:?}");
    assert!(problems[0].contains("diagram 2 is mermaid's error picture"));
    assert!(problems[1].contains("diagram 3 did not become an SVG"));
    assert!(problems[2].contains("diagram 4 has size 0x10"));
    assert!(problems[3].contains("image 1 did not load"));
    assert!(problems[4].contains("error text"));
    assert!(problems[5].contains("4 diagram(s) in the browser, 5 in the Markdown"));
    assert!(problems[6].contains("1 image(s) in the browser, 2 in the Markdown"));
    assert_eq!(
        problems_in(
            "p.md",
            expect(1, 1),
            "<pre id=\"pictures-check\">\ndiagram svg=1 w=5 h=5 role=state\n\
             image loaded=1 w=600 h=300\nerror-text=0\n</pre>"
        ),
        Vec::<String>::new()
    );
    assert!(problems_in("p.md", expect(1, 0), "<html></html>")[0].contains("never reported"));
    assert_eq!(
        mermaid_blocks("x\n```mermaid\na\n```\n```sh\n```\n  ```mermaid\n"),
        2
    );
    assert_eq!(
        svg_images("![a](images/x.svg) ![b](../images/y.zh-CN.svg)\n![c](z.png) [d](w.svg)"),
        2
    );
}

#[test]
fn the_harness_lists_the_pages_and_its_report_is_split_by_page() {
    let harness = harness_page(&[
        "a.check.html".into(),
        "zh-CN/b\"</script>.check.html".into(),
    ]);
    assert!(
        harness
            .contains(r#"const pages = ["a.check.html", "zh-CN/b\"\u003c/script>.check.html"];"#),
        "{harness}"
    );
    let dom = "<div id=\"pictures-report\"><section id=\"page-0\"><pre id=\"pictures-check\">\n\
               diagram svg=1 w=5 h=5 role=state\nerror-text=0\n</pre></section>\
               <section id=\"page-1\"></section><section id=\"page-10\"><pre id=\"pictures-check\">\n\
               error-text=1\n</pre></section></div>";
    let expect = |diagrams| Expected {
        diagrams,
        images: 0,
    };
    assert_eq!(
        problems_in("a", expect(1), page_report(dom, 0)),
        Vec::<String>::new()
    );
    assert!(problems_in("b", expect(0), page_report(dom, 1))[0].contains("never reported"));
    assert!(problems_in("c", expect(0), page_report(dom, 10))[0].contains("error text"));
    assert!(problems_in("d", expect(0), page_report(dom, 2))[0].contains("never reported"));
}

/// Lines of mermaid blocks that hold a `#` outside a style line
/// (`linkStyle`, `classDef`, `style`, where `#1f6feb` is a colour): mermaid
/// reads `#…` as the start of an entity code and silently drops the rest of
/// the label (`read #2` is drawn as `read`), in a picture that still draws.
fn hashes_in_labels(markdown: &str) -> Vec<String> {
    let mut inside = false;
    let mut found = Vec::new();
    for line in markdown.lines() {
        let t = line.trim();
        if t == "```mermaid" {
            inside = true;
        } else if inside && t == "```" {
            inside = false;
        } else if inside
            && t.contains('#')
            && !["linkStyle ", "classDef ", "style "]
                .iter()
                .any(|s| t.starts_with(s))
        {
            found.push(t.to_string());
        }
    }
    found
}

#[test]
fn no_diagram_label_holds_a_hash() {
    let root = workspace_root();
    let mut pages = Vec::new();
    pages_with_pictures(&root.join("docs"), Path::new(""), &mut pages);
    let mut problems = Vec::new();
    for (page, _) in pages {
        let text = fs::read_to_string(root.join("docs").join(&page)).unwrap_or_default();
        for line in hashes_in_labels(&text) {
            problems.push(format!("docs/{}: {line}", page.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "mermaid cuts a label at `#` (write `no. 2`, not `#2`):\n  {}",
        problems.join("\n  ")
    );
    assert_eq!(
        hashes_in_labels("```mermaid\nA->>B: read #2\nlinkStyle 0 stroke:#fff\n```\n# Title\n"),
        vec!["A->>B: read #2"]
    );
}

/// Whether a page holds a picture: a mermaid diagram, or an image (the
/// plots of measured data, `![what it shows](images/….svg)`).
fn has_picture(markdown: &str) -> bool {
    mermaid_blocks(markdown) > 0 || svg_images(markdown) > 0
}

/// Issue 26: every lesson page (`NN-*.md`), in both editions, shows at
/// least one picture.
#[test]
fn every_lesson_page_has_a_picture_in_both_editions() {
    let root = workspace_root();
    let mut missing = Vec::new();
    let mut pages = 0;
    for dir in ["docs", "docs/zh-CN"] {
        let mut names: Vec<String> = fs::read_dir(root.join(dir))
            .expect("the docs folder")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                n.ends_with(".md")
                    && n.len() > 3
                    && n[..2].chars().all(|c| c.is_ascii_digit())
                    && n[2..].starts_with('-')
            })
            .collect();
        names.sort();
        for name in names {
            pages += 1;
            let text = fs::read_to_string(root.join(dir).join(&name)).unwrap_or_default();
            if !has_picture(&text) {
                missing.push(format!("{dir}/{name}"));
            }
        }
    }
    assert!(pages > 0, "no lesson pages found");
    assert!(
        missing.is_empty(),
        "these lesson pages have no picture (a ```mermaid diagram, or an image from \
         docs/images/) where a reader would rather look than read:\n  {}",
        missing.join("\n  ")
    );
    assert!(has_picture("![UDP loss](images/04-loss.svg)"));
    assert!(has_picture("![UDP 丢包](../images/04-loss.zh-CN.svg)"));
    assert!(!has_picture("```text diagram\n+--+\n```\n"));
}
