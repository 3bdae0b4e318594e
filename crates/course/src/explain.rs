//! What a failing check proves, in the learner's language.
//!
//! A failing test prints its name and an English panic message. Above each
//! `#[test]` in an exercise, two doc lines say what the check proves, English
//! then Chinese:
//!
//! ```text
//! /// Two messages sent in one write come back as two.
//! /// 中文：一次写进去的两条消息，读出来还是两条。
//! #[test]
//! fn two_messages_glued_together_come_apart() {
//! ```
//!
//! The runner finds the failing tests' names in the test run's output
//! ([`failing_tests`]) and each one's pair in the exercise file
//! ([`explanation`]), and prints the line in the learner's language above
//! the raw output. A catalog test requires the pair on every test of every
//! exercise ([`tests_in`]).

/// Where the Chinese line of a pair starts (after `/// `).
pub const ZH_MARK: &str = "中文：";

/// What one check proves, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub en: String,
    pub zh: String,
}

/// Every `#[test]` fn in `source`, in order: its name and its explanation
/// (`None` when the doc lines above it lack the pair).
pub fn tests_in(source: &str) -> Vec<(String, Option<Explanation>)> {
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if *line != "#[test]" {
            continue;
        }
        // The fn follows, maybe after more attributes (`#[ignore]`, ...).
        let name = lines[i + 1..]
            .iter()
            .find(|l| !l.starts_with("#["))
            .and_then(|l| fn_name(l));
        let Some(name) = name else { continue };
        // The doc lines and attributes right above, back to anything else.
        let above: Vec<&str> = lines[..i]
            .iter()
            .rev()
            .take_while(|l| l.starts_with("///") || l.starts_with("#["))
            .filter_map(|l| l.strip_prefix("///"))
            .map(str::trim)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        found.push((name.to_string(), pair(&above)));
    }
    found
}

/// The name in `fn NAME(` (also `pub fn`, `async fn`).
fn fn_name(line: &str) -> Option<&str> {
    let rest = line.split_once("fn ")?.1;
    let name = rest.split(['(', '<']).next()?.trim();
    (!name.is_empty()).then_some(name)
}

/// The first `中文：` line of a doc block and the English line before it.
fn pair(doc: &[&str]) -> Option<Explanation> {
    let at = doc.iter().position(|l| l.starts_with(ZH_MARK))?;
    let zh = doc[at].trim_start_matches(ZH_MARK).trim();
    let en = *doc[..at].last()?;
    (!en.is_empty() && !zh.is_empty()).then(|| Explanation {
        en: en.to_string(),
        zh: zh.to_string(),
    })
}

/// The explanation of the test called `test` in `source`, if it has one.
pub fn explanation(source: &str, test: &str) -> Option<Explanation> {
    tests_in(source)
        .into_iter()
        .find(|(name, _)| name == test)
        .and_then(|(_, e)| e)
}

/// The failing tests a test run names (`test tests::NAME ... FAILED`,
/// `---- tests::NAME stdout ----`), each once, in order, without the module
/// path: `NAME`.
pub fn failing_tests(output: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in output.lines() {
        let path = line
            .strip_prefix("test ")
            .and_then(|l| l.strip_suffix(" ... FAILED"))
            .or_else(|| {
                line.strip_prefix("---- ")
                    .and_then(|l| l.strip_suffix(" stdout ----"))
            });
        if let Some(path) = path {
            let name = path.rsplit("::").next().unwrap_or(path).trim();
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "\
fn code() {}

#[cfg(test)]
mod tests {
    /// Two messages sent in one write come back as two.
    /// 中文：一次写进去的两条消息，读出来还是两条。
    #[test]
    fn glued() {}

    /// Only English.
    #[test]
    fn english_only() {}

    #[test]
    fn bare() {}

    /// A closed peer is an error.
    /// 中文：对端关闭了，就是错误。
    ///
    /// A longer note after the pair.
    #[test]
    #[ignore]
    fn closed() {}
}
";

    #[test]
    fn each_test_has_its_pair_or_none() {
        let tests = tests_in(SOURCE);
        let names: Vec<&str> = tests.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["glued", "english_only", "bare", "closed"]);
        assert_eq!(
            tests[0].1,
            Some(Explanation {
                en: "Two messages sent in one write come back as two.".into(),
                zh: "一次写进去的两条消息，读出来还是两条。".into(),
            })
        );
        assert_eq!(tests[1].1, None);
        assert_eq!(tests[2].1, None);
        let closed = explanation(SOURCE, "closed").unwrap();
        assert_eq!(closed.en, "A closed peer is an error.");
        assert_eq!(closed.zh, "对端关闭了，就是错误。");
        assert_eq!(explanation(SOURCE, "no_such_test"), None);
    }

    #[test]
    fn a_doc_block_belongs_to_the_test_right_below_it() {
        // `b` has no doc lines of its own: `a`'s are not its.
        let source =
            "/// A.\n/// 中文：甲。\n#[test]\nfn a() {}\nfn helper() {}\n#[test]\nfn b() {}\n";
        assert!(explanation(source, "a").is_some());
        assert_eq!(explanation(source, "b"), None);
    }

    #[test]
    fn half_a_pair_is_no_pair() {
        // An empty English line above the Chinese one; an empty Chinese line.
        let source =
            "///\n/// 中文：甲。\n#[test]\nfn a() {}\n/// A.\n/// 中文：\n#[test]\nfn b() {}\n";
        assert_eq!(tests_in(source), [("a".into(), None), ("b".into(), None)]);
    }

    #[test]
    fn failing_tests_are_named_once_in_order() {
        let out = "\nrunning 3 tests\ntest tests::a ... ok\ntest tests::b ... FAILED\ntest tests::inner::c ... FAILED\n\nfailures:\n\n---- tests::b stdout ----\npanicked\n---- tests::inner::c stdout ----\n\nfailures:\n    tests::b\n    tests::inner::c\n";
        assert_eq!(failing_tests(out), ["b", "c"]);
        assert!(failing_tests("test tests::a ... ok\n").is_empty());
    }
}
