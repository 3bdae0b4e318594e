//! Each limit and check of a request, tried at the byte where it is drawn:
//! the lesson's 8 KiB of head and 64 KiB of body as numbers, not as the
//! constants the code names them by; a body read to its `Content-Length`
//! and not one byte further; the request line and header names checked at
//! each edge; the reason phrase on each status line; and the page that
//! shows the visitor its request, escaped.

use super::{refused, start, status_line};
use browser_demo::client::{send_raw, split_replies};
use browser_demo::server::Timeouts;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A GET for `/data` whose head is `size` bytes long, `\r\n\r\n` included.
fn head_of(size: usize) -> Vec<u8> {
    let start = "GET /data HTTP/1.1\r\nConnection: close\r\nX-Pad: ";
    format!("{start}{}\r\n\r\n", "a".repeat(size - start.len() - 4)).into_bytes()
}

/// A POST whose body is `len` bytes of `x`, announced as such.
fn post_of(len: usize) -> Vec<u8> {
    let mut req = format!("POST / HTTP/1.1\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n")
        .into_bytes();
    req.resize(req.len() + len, b'x');
    req
}

#[test]
fn the_limits_are_8_kib_of_head_and_64_kib_of_body() {
    let (server, _rx) = start(Timeouts::default());
    let status = |bytes: &[u8]| status_line(&send_raw(server.addr, bytes).unwrap());
    assert_eq!(status(&head_of(8192)), "HTTP/1.1 200 OK");
    assert_eq!(
        status(&head_of(8193)),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    // 64 KiB of body is read (and POST gets 405); one byte more is refused.
    assert_eq!(status(&post_of(65536)), "HTTP/1.1 405 Method Not Allowed");
    let over = b"POST / HTTP/1.1\r\nContent-Length: 65537\r\n\r\n";
    assert_eq!(status(over), "HTTP/1.1 413 Content Too Large");
}

#[test]
fn a_head_that_reaches_8_kib_unfinished_is_read_on_to_its_end() {
    demo_kit::lang::set(demo_kit::lang::Lang::En); // the reason checked is the English one
    let (server, rx) = start(Timeouts::default());
    // 8196 bytes in one write: the server's reads of 4096 bytes stop at
    // exactly 8192, no end of head among them. It reads on, finds the end
    // 4 bytes later, and refuses the head by its length, 8196.
    let reply = send_raw(server.addr, &head_of(8196)).unwrap();
    let why = "head of 8196 bytes, limit 8192";
    assert_eq!(
        refused(&rx),
        [(431, why.to_string())],
        "refused before the end of the head was read"
    );
    let text = String::from_utf8_lossy(&reply);
    assert!(
        text.ends_with(&format!(
            "\r\n\r\n431 Request Header Fields Too Large: {why}\n"
        )),
        "{text}"
    );
}

#[test]
fn a_body_is_read_to_its_content_length_and_the_next_request_follows_it() {
    // 20,000 bytes of body: more than the server's first read holds, so most
    // of it is read in the body's own loop, by its length prefix. The GET
    // right after it is then the connection's next request.
    let (server, _rx) = start(Timeouts {
        idle: Duration::from_secs(10),
        head: Duration::from_secs(1),
    });
    // No `Connection: close` on the POST: its reply must not end the connection.
    let mut bytes = b"POST / HTTP/1.1\r\nContent-Length: 20000\r\n\r\n".to_vec();
    bytes.resize(bytes.len() + 20_000, b'x');
    bytes.extend_from_slice(b"GET /data HTTP/1.1\r\nConnection: close\r\n\r\n");
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.write_all(&bytes).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    let statuses: Vec<u16> = split_replies(&all)
        .unwrap()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [405, 200], "{:?}", String::from_utf8_lossy(&all));
}

#[test]
fn the_request_line_and_header_names_are_checked_at_each_edge() {
    let (server, _rx) = start(Timeouts::default());
    let cases: [(&[u8], &str); 9] = [
        (b" / HTTP/1.1\r\n\r\n", "400 Bad Request"), // an empty method
        (
            b"ABCDEFGHIJKLMNOP / HTTP/1.1\r\nConnection: close\r\n\r\n",
            "405 Method Not Allowed",
        ), // 16 letters
        (b"ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\n\r\n", "400 Bad Request"), // 17
        (b"GET x HTTP/1.1\r\n\r\n", "400 Bad Request"), // a target without '/'
        (b"GET /a\x01b HTTP/1.1\r\n\r\n", "400 Bad Request"), // a control byte in it
        (b"GET / HTTP/1.1\r\n: v\r\n\r\n", "400 Bad Request"), // an empty header name
        (b"GET / HTTP/1.1\r\nX Y: v\r\n\r\n", "400 Bad Request"), // a space in one
        (
            b"GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n",
            "404 Not Found",
        ),
        (
            b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "501 Not Implemented",
        ),
    ];
    for (bytes, want) in cases {
        let reply = send_raw(server.addr, bytes).unwrap();
        assert_eq!(
            status_line(&reply),
            format!("HTTP/1.1 {want}"),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn the_page_shows_the_visitor_its_address_and_request_escaped() {
    let (server, _rx) = start(Timeouts::default());
    let mut s = TcpStream::connect(server.addr).unwrap();
    let local = s.local_addr().unwrap();
    s.write_all(b"GET /?q=1 HTTP/1.1\r\nX-Probe: <script>&\"\r\nConnection: close\r\n\r\n")
        .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    let replies = split_replies(&all).unwrap();
    let page = String::from_utf8_lossy(&replies[0].body).into_owned();
    for shown in [
        format!("<b id=\"peer\">{local}</b>"),
        "request #1 on connection #1.".to_string(),
        "<code id=\"line\">GET /?q=1 HTTP/1.1</code>".to_string(),
        // The head as it came, each \r\n made visible, what the client sent
        // escaped: a visitor's bytes never become the page's markup.
        "<pre id=\"head\">GET /?q=1 HTTP/1.1\\r\\n\nX-Probe: &lt;script&gt;&amp;&quot;\\r\\n\n\
         Connection: close\\r\\n\n\\r\\n\n</pre>"
            .to_string(),
        "fetch('/data')".to_string(),
    ] {
        assert!(page.contains(&shown), "{shown:?} missing:\n{page}");
    }
}
