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
    let parts: Vec<String> = covered(offset, len, first, second)
        .into_iter()
        .map(|(reply, a, b, all)| {
            let all = if all { " (all of it)" } else { "" };
            format!("reply {reply} bytes {a}..{b}{all}")
        })
        .collect();
    parts.join(" + ")
}

/// [`describe`] in Chinese, for the demo's Chinese narration.
///
/// ```
/// use sticky_demo::report::describe_zh;
/// assert_eq!(describe_zh(2048, 479, 2500, 27), "回复 1 的 2048..2500 字节 + 回复 2 的 0..27 字节（整个回复）");
/// ```
pub fn describe_zh(offset: usize, len: usize, first: usize, second: usize) -> String {
    let parts: Vec<String> = covered(offset, len, first, second)
        .into_iter()
        .map(|(reply, a, b, all)| {
            let all = if all { "（整个回复）" } else { "" };
            format!("回复 {reply} 的 {a}..{b} 字节{all}")
        })
        .collect();
    parts.join(" + ")
}

/// The pieces of the two replies (`first` then `second` bytes, back to
/// back) that `len` bytes from `offset` on cover: the reply (1 or 2), the
/// range of its bytes, and whether that is all of reply 2.
fn covered(
    offset: usize,
    len: usize,
    first: usize,
    second: usize,
) -> Vec<(u8, usize, usize, bool)> {
    let mut parts = Vec::new();
    let end = offset + len;
    if offset < first {
        parts.push((1, offset, end.min(first), false));
    }
    if end > first {
        let (a, b) = (offset.max(first) - first, end - first);
        parts.push((2, a, b, a == 0 && b == second));
    }
    parts
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_is_described_by_the_replies_it_covers() {
        // Inside reply 1 only, up to its last byte.
        assert_eq!(describe(0, 2500, 2500, 27), "reply 1 bytes 0..2500");
        // Starting exactly where reply 2 starts.
        assert_eq!(
            describe(2500, 27, 2500, 27),
            "reply 2 bytes 0..27 (all of it)"
        );
        // Part of reply 2: from its start, or up to its end, is not all of it.
        assert_eq!(describe(2500, 10, 2500, 27), "reply 2 bytes 0..10");
        assert_eq!(describe(2510, 17, 2500, 27), "reply 2 bytes 10..27");
        assert_eq!(
            describe(2400, 110, 2500, 27),
            "reply 1 bytes 2400..2500 + reply 2 bytes 0..10"
        );
    }

    #[test]
    fn the_fake_output_is_ls_lines_cut_to_size() {
        let one = "-rw-r--r-- 1 student student    97 Aug  1 19:39 file001.txt\n";
        let two = "-rw-r--r-- 1 student student   194 Aug  1 19:39 file002.txt\n";
        let three = "-rw-r--r-- 1 student student   291 Aug  1 19:39 file003.txt\n";
        let all = format!("{one}{two}{three}");
        assert_eq!(fake_command_output(all.len()), all.as_bytes());
        assert_eq!(
            fake_command_output(one.len() + 3),
            format!("{one}-rw").as_bytes()
        );
        assert!(fake_command_output(0).is_empty());
        assert_eq!(fake_command_output(5000).len(), 5000);
    }

    #[test]
    fn boundaries_are_marked_inside_the_bytes_only() {
        let sent = vec![b"ab".to_vec(), b"cd".to_vec(), b"ef".to_vec()];
        // A message ending exactly where the bytes start or end is no cut.
        assert_eq!(show_boundaries(b"cd", &sent, 2), "cd");
        assert_eq!(show_boundaries(b"bcde", &sent, 1), "b|cd|e");
        assert_eq!(show_boundaries(b"abcdef", &sent, 0), "ab|cd|ef");
    }

    #[test]
    fn one_byte_is_singular() {
        assert_eq!(bytes(1), "1 byte");
        assert_eq!(bytes(0), "0 bytes");
        assert_eq!(bytes(2), "2 bytes");
    }
}
