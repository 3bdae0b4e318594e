//! Putting observations into words: which bytes of which reply a read
//! returned, how many whole messages one read held. Pure functions, so the
//! scenarios' narration stays short and the wording is tested.

/// How many of `sent` lie entirely within the first `len` bytes.
///
/// ```
/// let sent = vec![b"hello".to_vec(), b"world".to_vec()];
/// assert_eq!(sticky_demo::report::messages_inside(10, &sent), 2);
/// assert_eq!(sticky_demo::report::messages_inside(7, &sent), 1);
/// ```
pub fn messages_inside(len: usize, sent: &[Vec<u8>]) -> usize {
    let mut end = 0;
    sent.iter()
        .take_while(|m| {
            end += m.len();
            end <= len
        })
        .count()
}

/// Says which bytes of which reply a read covered, e.g.
/// `reply 1 bytes 2048..2500 + reply 2 bytes 0..27 (all of it)`.
///
/// ```
/// use sticky_demo::report::describe;
/// assert_eq!(describe(0, 1024, 2500, 27), "reply 1 bytes 0..1024");
/// assert_eq!(describe(2048, 479, 2500, 27), "reply 1 bytes 2048..2500 + reply 2 bytes 0..27 (all of it)");
/// ```
pub fn describe(offset: usize, len: usize, first: usize, second: usize) -> String {
    let mut parts = Vec::new();
    let end = offset + len;
    if offset < first {
        parts.push(format!("reply 1 bytes {offset}..{}", end.min(first)));
    }
    if end > first {
        let (a, b) = (offset.max(first) - first, end - first);
        let all = if a == 0 && b == second {
            " (all of it)"
        } else {
            ""
        };
        parts.push(format!("reply 2 bytes {a}..{b}{all}"));
    }
    parts.join(" + ")
}

/// Text that looks like `ls -l` output, `size` bytes long.
pub fn fake_command_output(size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 64);
    let mut n = 1;
    while out.len() < size {
        out.extend(
            format!(
                "-rw-r--r-- 1 student student {:>5} Aug  1 19:39 file{n:03}.txt\n",
                n * 97
            )
            .as_bytes(),
        );
        n += 1;
    }
    out.truncate(size);
    out
}

/// "1 byte", "5 bytes".
pub fn bytes(n: usize) -> String {
    if n == 1 {
        "1 byte".to_string()
    } else {
        format!("{n} bytes")
    }
}

/// Marks where the original messages start inside `bytes` (which holds
/// `sent` back to back from `offset` on), e.g. `hello|world|!`.
///
/// ```
/// let sent = vec![b"ab".to_vec(), b"cd".to_vec()];
/// assert_eq!(sticky_demo::report::show_boundaries(b"abcd", &sent, 0), "ab|cd");
/// assert_eq!(sticky_demo::report::show_boundaries(b"bcd", &sent, 1), "b|cd");
/// ```
pub fn show_boundaries(bytes: &[u8], sent: &[Vec<u8>], offset: usize) -> String {
    let mut cuts = Vec::new();
    let mut pos = 0;
    for m in sent {
        pos += m.len();
        if pos > offset && pos < offset + bytes.len() {
            cuts.push(pos - offset);
        }
    }
    let mut out = String::new();
    for (i, &b) in bytes.iter().enumerate() {
        if cuts.contains(&i) {
            out.push('|');
        }
        out.push_str(&String::from_utf8_lossy(&[b]));
    }
    out
}
