//! What the server answers. The page shows the browser what the server saw
//! of it (its ip:port and its request), and a line of JavaScript makes the
//! browser send a second request, for `/data`, without anyone clicking.

use crate::http::Request;
use std::net::SocketAddr;

/// The text `/data` answers with; the page's script puts it into the DOM.
pub fn data_text(peer: SocketAddr, conn: u64, nth: u64) -> String {
    format!("fetched /data: request #{nth} on connection #{conn}, from {peer}")
}

/// (status, content type, body) for one request. HEAD is routed like GET:
/// the server sends the same head, without the body.
pub fn route(
    request: &Request,
    peer: SocketAddr,
    conn: u64,
    nth: u64,
) -> (u16, &'static str, Vec<u8>) {
    let path = request.target.split('?').next().unwrap_or("");
    match (request.method.as_str(), path) {
        ("GET" | "HEAD", "/") => (
            200,
            "text/html; charset=utf-8",
            home(request, peer, conn, nth).into_bytes(),
        ),
        ("GET" | "HEAD", "/data") => (
            200,
            "text/plain; charset=utf-8",
            data_text(peer, conn, nth).into_bytes(),
        ),
        (_, "/" | "/data") => (
            405,
            "text/plain; charset=utf-8",
            b"405: only GET and HEAD here\n".to_vec(),
        ),
        _ => (
            404,
            "text/plain; charset=utf-8",
            format!("404: no {path} here\n").into_bytes(),
        ),
    }
}

fn home(request: &Request, peer: SocketAddr, conn: u64, nth: u64) -> String {
    let head = escape(&String::from_utf8_lossy(&request.raw_head).replace("\r\n", "\\r\\n\n"));
    format!(
        r#"<!doctype html>
<html><head><meta charset="utf-8"><title>browser-demo</title></head>
<body>
<h1>What the server saw</h1>
<p>You are <b id="peer">{peer}</b> (your ip:port, from <code>accept()</code>),
request #{nth} on connection #{conn}.</p>
<p>Request line: <code id="line">{line}</code></p>
<pre id="head">{head}</pre>
<p>Second request, sent by this page's script: <b id="data">not fetched yet</b></p>
<script>
fetch('/data').then(r => r.text()).then(t => {{ document.getElementById('data').textContent = t; }});
</script>
</body></html>
"#,
        line = escape(&request.request_line()),
    )
}

/// HTML-escapes text that came from the client.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
