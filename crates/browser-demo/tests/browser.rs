//! A real browser is just another TCP client: headless Chromium loads the
//! page, runs its script (which fetches `/data`), and we read the DOM it
//! built and the requests our server logged.
//!
//! Needs Debian's `chromium`, so it is ignored by default. Run it with
//!     cargo test -p browser-demo -- --ignored
//! Without a browser this test FAILS (it is never silently skipped).

use browser_demo::server::{self, Event, Timeouts};
use demo_kit::testing::OutputWithin;
use std::process::Command;
use std::time::Duration;

#[test]
#[ignore = "needs chromium: cargo test -p browser-demo -- --ignored"]
fn headless_chromium_loads_the_page_and_its_script_fetches_data() {
    let (tx, rx) = crossbeam_channel::unbounded();
    let server = server::start("127.0.0.1:0", Timeouts::default(), tx).unwrap();
    let url = format!("http://{}/", server.addr);
    let profile = std::env::temp_dir().join(format!(
        "browser-demo-chromium-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&profile);
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
        ])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        // Virtual time runs until the page is idle (its fetch done), at most 10 s.
        .args(["--virtual-time-budget=10000", "--dump-dom", &url])
        .output_within_limit(Duration::from_secs(120));
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    server.stop();

    // The DOM holds what the script fetched from /data.
    assert!(
        dom.contains("<b id=\"data\">fetched /data: request #"),
        "DOM:\n{dom}"
    );
    assert!(
        dom.contains("GET / HTTP/1.1"),
        "the page shows the request line:\n{dom}"
    );

    // The server logged both requests, with the real browser's User-Agent.
    let served: Vec<_> = rx
        .try_iter()
        .filter_map(|e| match e {
            Event::Served { request, .. } => Some(request),
            _ => None,
        })
        .collect();
    let data = served
        .iter()
        .find(|r| r.target == "/data")
        .expect("the script's /data request");
    let agent = data.header("User-Agent").unwrap_or("");
    assert!(agent.contains("Chrome/"), "User-Agent {agent:?}");
    assert!(served.iter().any(|r| r.target == "/"), "the page request");
}
