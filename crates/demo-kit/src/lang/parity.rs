//! The same run, told in two languages: a test runs a demo with `--lang en`
//! and with `--lang zh` and compares the two outputs by structure, so a
//! Chinese line can never be missing, moved, or say other numbers.
//!
//! Line by line, the two runs must have:
//! * the same number of lines, each of the same kind: blank, a side's line
//!   with the same label (`[server]`), a step title (`── `), a heading
//!   (`=== `), or other output;
//! * the same numbers on each line (as a set: Chinese may put them in
//!   another order), or, for a run that is not deterministic (pids, ports,
//!   timings), at least as many on each line: [`Numbers`];
//! * in Chinese, Chinese characters on every `[note]` line and step title
//!   that has words in English, and no English prose on any side's line or
//!   step title: three English words in a row, outside quotes and code
//!   (`'…'`, `"…"`, `` `…` ``), is a line not translated.

/// How strictly the numbers of the two runs must agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numbers {
    /// The same numbers on each line: a deterministic run.
    Same,
    /// The same count of numbers on each line: pids, ports and timings
    /// differ from run to run.
    Count,
}

/// What a line of output is, for lining up the two runs.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Blank,
    Side(String),
    Step,
    Heading,
    Other,
}

fn kind(line: &str) -> Kind {
    if line.trim().is_empty() {
        Kind::Blank
    } else if let Some(label) = line.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Kind::Side(label.0.to_string())
    } else if line.starts_with("── ") {
        Kind::Step
    } else if line.starts_with("=== ") {
        Kind::Heading
    } else {
        Kind::Other
    }
}

/// The numbers on a line, sorted: the digits and dots at the start of each
/// word that starts with a digit (`127.0.0.1`, `1.5` of `1.5ms`, `43210`;
/// words end at anything but ASCII letters, digits and dots, so `0x5fe3` is
/// `0` and `fe80` is no number; a duration is one number whatever its
/// unit, `950ns` as `1.2µs`). A hex
/// dump (four or more two-digit hex words in a row, `5f e3 01 00`) is data,
/// not counted: it holds IDs and ports that differ between runs.
pub fn numbers(line: &str) -> Vec<String> {
    let words: Vec<&str> = line.split(|c: char| c == ' ' || !c.is_ascii()).collect();
    let hex = |w: &str| w.len() == 2 && w.chars().all(|c| c.is_ascii_hexdigit());
    let mut in_dump = vec![false; words.len()];
    let mut start = 0;
    for i in 0..=words.len() {
        if i < words.len() && hex(words[i]) {
            continue;
        }
        if i - start >= 4 {
            in_dump[start..i].iter_mut().for_each(|d| *d = true);
        }
        start = i + 1;
    }
    let mut found: Vec<String> = words
        .iter()
        .zip(&in_dump)
        .filter(|(_, dump)| !**dump)
        .flat_map(|(w, _)| w.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.')))
        .filter(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        .filter(|t| !is_hex_word(t))
        .map(|t| {
            let end = t
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(t.len());
            t[..end].trim_end_matches('.').to_string()
        })
        .collect();
    found.sort();
    found
}

/// A hex value such as a checksum, `7c316698f9973f3b`: four or more hex
/// digits, a letter among them. Data, not a number to count: whether it
/// starts with a digit changes from run to run.
fn is_hex_word(word: &str) -> bool {
    word.len() >= 4
        && word
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        && word.chars().any(|c| c.is_ascii_alphabetic())
}

/// A Chinese character (CJK Unified Ideographs and Extension A).
pub fn has_han(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c))
}

/// `text` without what is quoted: `'…'` (and Python's `b'…'`), `"…"`,
/// `` `…` ``, `“…”`. A `'` after a letter (`don't`, `users'`) is an
/// apostrophe, not a quote, unless it follows a lone `b` (`b'hi'`).
fn unquoted(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let letter = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(char::is_ascii_alphabetic)
    };
    let mut out = String::new();
    let mut closing: Option<char> = None;
    for (i, &c) in chars.iter().enumerate() {
        let apostrophe = c == '\''
            && letter(i.checked_sub(1))
            && (chars[i - 1] != 'b' || letter(i.checked_sub(2)));
        match closing {
            Some(end) if c == end => closing = None,
            Some(_) => {}
            None => match c {
                '\'' if apostrophe => out.push(c),
                '\'' | '"' | '`' => closing = Some(c),
                '“' => closing = Some('”'),
                _ => out.push(c),
            },
        }
    }
    out
}

/// A token without the punctuation after it.
fn bare(token: &str) -> &str {
    token.trim_end_matches([',', '.', ';', ':', '!', '?'])
}

/// An English word of prose: letters only (an apostrophe inside, a comma or
/// full stop after), lower case after the first letter.
fn is_word(token: &str) -> bool {
    let mut chars = bare(token).chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_lowercase() || c == '\'')
}

/// An English word of three letters or more, outside quotes and the side's
/// label: a line with words to translate.
fn has_english_word(line: &str) -> bool {
    let text = line.split_once("] ").map_or(line, |(_, rest)| rest);
    unquoted(text)
        .split_whitespace()
        .any(|t| is_word(t) && bare(t).len() >= 3)
}

/// Three English words in a row, outside quotes: prose not translated.
pub fn english_prose(text: &str) -> Option<String> {
    let text = unquoted(text);
    let tokens: Vec<&str> = text.split_whitespace().collect();
    tokens
        .windows(3)
        .find(|w| w.iter().all(|t| is_word(t)) && w.iter().any(|t| bare(t).len() >= 3))
        .map(|w| w.join(" "))
}

/// Every way the Chinese run `zh` departs from the English run `en`, one
/// message each, naming the line; empty when they line up.
pub fn differences(en: &str, zh: &str, numbers_rule: Numbers) -> Vec<String> {
    let en_lines: Vec<&str> = en.lines().collect();
    let zh_lines: Vec<&str> = zh.lines().collect();
    let mut problems = Vec::new();
    if en_lines.len() != zh_lines.len() {
        problems.push(format!(
            "{} lines in English, {} in Chinese",
            en_lines.len(),
            zh_lines.len()
        ));
    }
    for (i, (e, z)) in en_lines.iter().zip(&zh_lines).enumerate() {
        let n = i + 1;
        let (ke, kz) = (kind(e), kind(z));
        if ke != kz {
            problems.push(format!(
                "line {n}: {e:?} and {z:?} are not the same kind of line"
            ));
            // The runs no longer line up: what follows would only repeat it.
            break;
        }
        let (ne, nz) = (numbers(e), numbers(z));
        let numbers_differ = match numbers_rule {
            Numbers::Same => ne != nz,
            Numbers::Count => ne.len() != nz.len(),
        };
        if numbers_differ {
            problems.push(format!(
                "line {n}: numbers {ne:?} in {e:?}, {nz:?} in {z:?}"
            ));
        }
        let narrated = matches!(kz, Kind::Side(_) | Kind::Step);
        let explained = kz == Kind::Step || kz == Kind::Side("note".into());
        if explained && has_english_word(e) && !has_han(z) {
            problems.push(format!("line {n}: no Chinese in {z:?}"));
        }
        if let Some(words) = english_prose(z).filter(|_| narrated) {
            problems.push(format!("line {n}: English prose ({words:?}) in {z:?}"));
        }
    }
    problems
}

/// `text` with the lines of each step (between two step titles or
/// headings) grouped by side, each side's lines in their own order: for a
/// demo whose processes or threads print at the same time, so that the
/// interleaving of two sides may differ from run to run while each side's
/// own lines may not. Compare two runs with `differences(&by_side(en),
/// &by_side(zh), ..)`, or [`assert_parity_by_side`].
pub fn by_side(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut block: Vec<&str> = Vec::new();
    fn flush<'a>(block: &mut Vec<&'a str>, out: &mut Vec<&'a str>) {
        block.sort_by_key(|l| match kind(l) {
            Kind::Side(label) => label,
            _ => String::new(),
        });
        out.append(block);
    }
    for line in text.lines() {
        if matches!(kind(line), Kind::Step | Kind::Heading) {
            flush(&mut block, &mut out);
            out.push(line);
        } else {
            block.push(line);
        }
    }
    flush(&mut block, &mut out);
    out.join("\n")
}

/// [`assert_parity`] for a demo whose sides print at the same time: the
/// runs are compared [`by_side`] (line numbers count in that order).
pub fn assert_parity_by_side(en: &str, zh: &str, numbers_rule: Numbers) {
    assert_parity(&by_side(en), &by_side(zh), numbers_rule);
}

/// Panics (failing the test) with every difference, if there is one.
pub fn assert_parity(en: &str, zh: &str, numbers_rule: Numbers) {
    let problems = differences(en, zh, numbers_rule);
    assert!(
        problems.is_empty(),
        "the Chinese run does not line up with the English one:\n{}\n--- English:\n{en}\n--- Chinese:\n{zh}",
        problems.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &str = "\n=== addresses ===\n\n── step 1: connect ──\n[client] sent 5 bytes to 127.0.0.1:80\n[note] the kernel keeps 'hello world' for us\nport 80/tcp\n";
    const ZH: &str = "\n=== addresses ===\n\n── 第 1 步：连接 ──\n[client] 向 127.0.0.1:80 发送了 5 个字节\n[note] 内核替我们保存了 'hello world'\nport 80/tcp\n";

    fn replace_line(text: &str, n: usize, with: &str) -> String {
        let mut lines: Vec<&str> = text.lines().collect();
        lines[n] = with;
        lines.join("\n")
    }

    #[test]
    fn a_faithful_translation_lines_up() {
        assert_eq!(differences(EN, ZH, Numbers::Same), Vec::<String>::new());
        assert_eq!(differences(EN, ZH, Numbers::Count), Vec::<String>::new());
        assert_parity(EN, ZH, Numbers::Same);
    }

    #[test]
    #[should_panic(expected = "does not line up")]
    fn assert_parity_fails_on_a_difference() {
        assert_parity(EN, &ZH.replace("5 个", "6 个"), Numbers::Same);
    }

    #[test]
    fn a_missing_or_extra_line_is_found() {
        let fewer = ZH.replace("[note] 内核替我们保存了 'hello world'\n", "");
        let p = differences(EN, &fewer, Numbers::Count);
        assert!(p[0].contains("7 lines in English, 6 in Chinese"), "{p:?}");
        assert!(
            p[1].starts_with("line 6: ") && p[1].contains("not the same kind"),
            "{p:?}"
        );
        assert_eq!(p.len(), 2, "{p:?}");
    }

    #[test]
    fn each_kind_of_line_must_match() {
        for (n, other) in [
            (0, "[note] 多出来的"),
            (1, "额外的说明"),
            (3, "第 1 步：连接"),
            (4, "[server] 向 127.0.0.1:80 发送了 5 个字节"),
            (6, "[kernel] port 80/tcp"),
        ] {
            let p = differences(EN, &replace_line(ZH, n, other), Numbers::Count);
            assert_eq!(p.len(), 1, "{n}: {p:?}");
            assert!(p[0].starts_with(&format!("line {}: ", n + 1)), "{p:?}");
            assert!(p[0].contains("not the same kind"), "{p:?}");
        }
        // A heading is a heading, whatever its words.
        let p = differences(EN, &replace_line(ZH, 1, "=== 地址 ==="), Numbers::Same);
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn numbers_must_agree_or_at_least_count_the_same() {
        let other_value = ZH.replace("5 个", "6 个");
        let p = differences(EN, &other_value, Numbers::Same);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("line 5: numbers"), "{p:?}");
        assert!(differences(EN, &other_value, Numbers::Count).is_empty());
        let one_less = ZH.replace("5 个字节", "一些字节");
        assert_eq!(differences(EN, &one_less, Numbers::Count).len(), 1);
        assert_eq!(differences(EN, &one_less, Numbers::Same).len(), 1);
    }

    #[test]
    fn notes_and_steps_need_chinese_and_no_english_prose() {
        // An untranslated note: no Chinese, and prose.
        let p = differences(
            EN,
            &replace_line(ZH, 5, "[note] the kernel keeps 'hello world' for us"),
            Numbers::Same,
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("no Chinese"), "{p:?}");
        assert!(
            p[1].contains("English prose (\"the kernel keeps\")"),
            "{p:?}"
        );
        // A step title without Chinese.
        let p = differences(
            EN,
            &replace_line(ZH, 3, "── step 1: connect ──"),
            Numbers::Same,
        );
        assert!(p.iter().any(|m| m.contains("no Chinese")), "{p:?}");
        // Half translated: Chinese, but English prose left in it.
        let p = differences(
            EN,
            &replace_line(ZH, 4, "[client] 发送了 5 bytes to the 127.0.0.1:80"),
            Numbers::Same,
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("English prose"), "{p:?}");
        // A client line of pure data needs no Chinese; other output is data.
        let data = replace_line(ZH, 4, "[client] 5 127.0.0.1:80");
        assert!(differences(EN, &data, Numbers::Same).is_empty());
        let prose_output = replace_line(ZH, 6, "port is eighty here 80/tcp");
        assert!(differences(EN, &prose_output, Numbers::Same).is_empty());
        // A note with no English word in it may stay as it is.
        for en in [
            "[note] 80/tcp\n",
            "[note] 'quoted text'\n",
            "[note] ok SO_REUSEADDR\n",
        ] {
            assert!(differences(en, en, Numbers::Same).is_empty(), "{en}");
        }
        let en = "[note] done\n";
        assert_eq!(differences(en, en, Numbers::Same).len(), 1);
    }

    #[test]
    fn by_side_groups_each_steps_lines_by_side_in_their_own_order() {
        let run = "[note] a\n[parent] p1\n[child] c1\n[parent] p2\n── step 1 ──\n[child] c2\n[parent] p3\n\n=== h ===\nout\n[kernel] k";
        assert_eq!(
            by_side(run),
            "[child] c1\n[note] a\n[parent] p1\n[parent] p2\n── step 1 ──\n\n[child] c2\n[parent] p3\n=== h ===\nout\n[kernel] k"
        );
        // Another interleaving of the same sides lines up; another order
        // of one side's own lines does not.
        let other = "[child] c1\n[parent] p1\n[note] a\n[parent] p2\n── step 1 ──\n[parent] p3\n\n[child] c2\n=== h ===\nout\n[kernel] k";
        assert_eq!(by_side(other), by_side(run));
        let swapped = run
            .replace("p1", "X")
            .replace("p2", "p1")
            .replace("X", "p2");
        assert_ne!(by_side(&swapped), by_side(run));
        // Not across a step: a line moved into the next step is found.
        let moved = "[note] a\n[parent] p1\n[child] c1\n── step 1 ──\n[parent] p2\n[child] c2\n[parent] p3\n\n=== h ===\nout\n[kernel] k";
        assert!(!differences(&by_side(run), &by_side(moved), Numbers::Same).is_empty());
    }

    #[test]
    #[should_panic(expected = "does not line up")]
    fn assert_parity_by_side_fails_on_a_difference() {
        assert_parity_by_side("[a] 1\n[b] 2", "[a] 1\n[b] 3", Numbers::Same);
    }

    #[test]
    fn numbers_are_runs_of_digits_and_dots() {
        assert_eq!(
            numbers("sent 5 bytes to 127.0.0.1:80."),
            ["127.0.0.1", "5", "80"]
        );
        assert_eq!(numbers("took 1.5 ms, step 2"), ["1.5", "2"]);
        assert_eq!(numbers("no digits... here"), Vec::<String>::new());
        // Next to Chinese, a number is still a word of its own.
        assert_eq!(
            numbers("第2步：共 16 个，端口33927；"),
            ["16", "2", "33927"]
        );
        // Hex is not a number; a hex dump is skipped, short runs are not.
        assert_eq!(numbers("ID 0x5fe3 fe80::1/64"), ["0", "1", "64"]);
        assert_eq!(numbers("checksum 7c316698f9973f3b, 1234, 1a2b3"), ["1234"]);
        assert_eq!(numbers("5fe 12ab"), ["5"]);
        assert_eq!(
            numbers("took 950ns, 1.2µs, 50.6ms. x86_64"),
            ["1.2", "50.6", "64", "950"]
        );
        assert_eq!(numbers("header: 5f e3 01 00 end 12"), ["12"]);
        assert_eq!(numbers("5f e3 01 00"), Vec::<String>::new());
        // Three are not a dump, whatever stands before them.
        assert_eq!(numbers("id 01 02 03 end"), ["01", "02", "03"]);
        assert_eq!(numbers("首部，固定 12 字节：74 e4 01 00"), ["12"]);
        assert_eq!(numbers("bytes 01 00 ab, 12"), ["00", "01", "12"]);
    }

    #[test]
    fn prose_is_three_plain_words_outside_quotes() {
        assert_eq!(
            english_prose("the kernel keeps"),
            Some("the kernel keeps".into())
        );
        assert_eq!(
            english_prose("It is, in fact."),
            Some("is, in fact.".into())
        );
        assert_eq!(english_prose("we don't know"), Some("we don't know".into()));
        // Two words, names with capitals inside, code, numbers: not prose.
        assert_eq!(english_prose("accept 队列 the kernel"), None);
        assert_eq!(english_prose("SYN ACK FIN"), None);
        assert_eq!(english_prose("TCP_NODELAY so_reuseaddr set"), None);
        assert_eq!(english_prose("a b c"), None);
        assert_eq!(english_prose("read 5 more bytes"), None);
        // Quoted text is data.
        assert_eq!(english_prose("收到 'hello from the child' 了"), None);
        assert_eq!(english_prose("收到 \"hello from the child\" 了"), None);
        assert_eq!(english_prose("收到 `hello from the child` 了"), None);
        assert_eq!(english_prose("收到 “hello from the child now” 了"), None);
        // Apostrophes are not quotes, after a b inside a word too.
        assert_eq!(
            english_prose("the users' files"),
            Some("the users' files".into())
        );
        assert_eq!(
            english_prose("the club's rules"),
            Some("the club's rules".into())
        );
        assert_eq!(
            english_prose("收到 'x' and then some"),
            Some("and then some".into())
        );
        assert_eq!(english_prose("收到 b'hello from the child' 了"), None);
    }

    #[test]
    fn han_is_chinese_characters_only() {
        assert!(has_han("连接"));
        assert!(has_han("a㐀"));
        assert!(!has_han("，：（）"));
        assert!(!has_han("plain"));
    }
}
