//! The language a demo narrates in: English, or Simplified Chinese.
//!
//! Many of the course's students read Chinese first, and a demo is where
//! the learning happens, so a demo speaks the learner's language: Chinese
//! when `--lang zh` is given (also `zh-CN`, `zh_CN`, `zh-Hans`), or when the
//! locale asks for it, English otherwise (`--lang en` forces it). The locale
//! rule is the runner's (crates/course/src/i18n.rs) and POSIX's: the first of
//! `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not empty decides
//! (POSIX.1-2017, Base Definitions, 8.2 "Internationalization Variables"),
//! and it asks for Chinese when it starts with `zh`.
//!
//! Every line is written once per language, side by side at its call site,
//! with [`tr!`](crate::tr): `say(Side::Server, tr!("accepted {peer}",
//! "接受了 {peer} 的连接"))`. Both texts are `format!` strings over the same
//! arguments, so a Chinese line cannot be missing and a number cannot be in
//! one language only. What the kernel gives (numbers, addresses, errno
//! names, `/proc` fields, system-call names) is an argument or stays
//! verbatim in both texts; only the words around it change.
//! [`parity`] checks two runs of a demo, one per language, line by line.

use std::sync::atomic::{AtomicU8, Ordering};

/// A language a demo speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

/// 0: not chosen yet (the locale decides on first use); 1: English; 2: Chinese.
static CHOSEN: AtomicU8 = AtomicU8::new(0);

/// Sets the language for everything printed from now on.
pub fn set(lang: Lang) {
    CHOSEN.store(
        match lang {
            Lang::En => 1,
            Lang::Zh => 2,
        },
        Ordering::Relaxed,
    );
}

/// The language in use: the one [`set`] chose, else the locale's (which
/// is then remembered).
pub fn current() -> Lang {
    let chosen = CHOSEN.load(Ordering::Relaxed);
    let lang = chosen_or(chosen, || from_locale(|name| std::env::var(name).ok()));
    if chosen == 0 {
        set(lang);
    }
    lang
}

/// The language a [`CHOSEN`] value stands for; `locale` when none is chosen.
fn chosen_or(chosen: u8, locale: impl FnOnce() -> Lang) -> Lang {
    match chosen {
        1 => Lang::En,
        2 => Lang::Zh,
        _ => locale(),
    }
}

/// Whether the demo speaks Chinese; what [`tr!`](crate::tr) asks.
pub fn is_zh() -> bool {
    current() == Lang::Zh
}

/// Picks one of two fixed texts, e.g. a `--help` page.
pub fn pick<'a>(en: &'a str, zh: &'a str) -> &'a str {
    match current() {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// Passes the language in use to a copy of this program started as a
/// helper (a role that never parses `--lang`): its `LC_ALL` asks for the
/// same language (`zh_CN.UTF-8` or `C.UTF-8`), which [`from_locale`] reads first.
pub fn pass_to(cmd: &mut std::process::Command) -> &mut std::process::Command {
    cmd.env(
        "LC_ALL",
        match current() {
            Lang::En => "C.UTF-8",
            Lang::Zh => "zh_CN.UTF-8",
        },
    )
}

/// The language the locale asks for: the first of `LC_ALL`, `LC_MESSAGES`,
/// `LANG` that is set and not empty decides; Chinese if it starts with `zh`.
///
/// ```
/// use demo_kit::lang::{from_locale, Lang};
/// let env = |name: &str| (name == "LANG").then(|| "zh_CN.UTF-8".to_string());
/// assert_eq!(from_locale(env), Lang::Zh);
/// ```
pub fn from_locale(var: impl Fn(&str) -> Option<String>) -> Lang {
    let chosen = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|name| var(name).filter(|v| !v.is_empty()));
    match chosen {
        Some(v) if v.starts_with("zh") => Lang::Zh,
        _ => Lang::En,
    }
}

/// The language a `--lang` value names: `en` (`en-US`, `en_GB`) or `zh`
/// (`zh-CN`, `zh_CN`, `zh-Hans`); anything else is an error naming both,
/// in both languages (the language is not known yet).
pub fn parse(value: &str) -> Result<Lang, String> {
    let v = value.trim().replace('_', "-").to_ascii_lowercase();
    match v.as_str() {
        "en" | "en-us" | "en-gb" => Ok(Lang::En),
        "zh" | "zh-cn" | "zh-hans" | "zh-hans-cn" => Ok(Lang::Zh),
        _ => Err(format!(
            "unknown language {value:?} for --lang: use en or zh (--lang 不支持 {value:?}：请用 en 或 zh)"
        )),
    }
}

/// One line of text, in English or Chinese: `tr!("sent {n} bytes",
/// "发送了 {n} 个字节")`, or with positional arguments after the two texts.
/// Both are `format!` strings; only the chosen one is formatted.
///
/// ```
/// use demo_kit::{lang, tr};
/// let n = 5;
/// lang::set(lang::Lang::Zh);
/// assert_eq!(tr!("sent {n} bytes", "发送了 {n} 个字节"), "发送了 5 个字节");
/// lang::set(lang::Lang::En);
/// assert_eq!(tr!("{} of {}", "{} 中的 {}", 1, 2), "1 of 2");
/// ```
#[macro_export]
macro_rules! tr {
    ($en:literal, $zh:literal $(, $arg:expr)* $(,)?) => {
        if $crate::lang::is_zh() {
            format!($zh $(, $arg)*)
        } else {
            format!($en $(, $arg)*)
        }
    };
}

pub mod parity;

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_locale_decides_in_posix_order() {
        assert_eq!(from_locale(env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(from_locale(env(&[("LANG", "en_US.UTF-8")])), Lang::En);
        assert_eq!(from_locale(env(&[])), Lang::En);
        // Starting with zh, not containing it.
        assert_eq!(from_locale(env(&[("LANG", "C.zh")])), Lang::En);
        // LC_ALL before LC_MESSAGES before LANG.
        let all = env(&[("LC_ALL", "C"), ("LC_MESSAGES", "zh_CN"), ("LANG", "zh_CN")]);
        assert_eq!(from_locale(all), Lang::En);
        let all_zh = env(&[("LC_ALL", "zh_TW"), ("LANG", "en_US")]);
        assert_eq!(from_locale(all_zh), Lang::Zh);
        let msgs = env(&[("LC_MESSAGES", "zh_TW"), ("LANG", "en_US")]);
        assert_eq!(from_locale(msgs), Lang::Zh);
        let msgs_en = env(&[("LC_MESSAGES", "en_US"), ("LANG", "zh_CN")]);
        assert_eq!(from_locale(msgs_en), Lang::En);
        // Empty means unset: the next one decides.
        let empty = env(&[("LC_ALL", ""), ("LC_MESSAGES", ""), ("LANG", "zh_CN.UTF-8")]);
        assert_eq!(from_locale(empty), Lang::Zh);
    }

    #[test]
    fn a_choice_outranks_the_locale() {
        assert_eq!(chosen_or(1, || Lang::Zh), Lang::En);
        assert_eq!(chosen_or(2, || Lang::En), Lang::Zh);
        assert_eq!(chosen_or(0, || Lang::Zh), Lang::Zh);
        assert_eq!(chosen_or(0, || Lang::En), Lang::En);
    }

    #[test]
    fn lang_values() {
        for v in [
            "zh",
            "zh-CN",
            "zh_CN",
            "ZH-cn",
            "zh-Hans",
            "zh-Hans-CN",
            " zh ",
        ] {
            assert_eq!(parse(v), Ok(Lang::Zh), "{v}");
        }
        for v in ["en", "en-US", "en_GB", "EN"] {
            assert_eq!(parse(v), Ok(Lang::En), "{v}");
        }
        for v in ["fr", "", "zh-TW-x", "english"] {
            let e = parse(v).unwrap_err();
            assert!(e.contains(&format!("{v:?}")), "{e}");
            assert!(
                e.contains("use en or zh") && e.contains("请用 en 或 zh"),
                "{e}"
            );
        }
    }

    /// The one test that changes the process-wide choice (the others in
    /// this crate leave it alone, so they cannot race with it).
    #[test]
    fn set_current_pick_and_tr_follow_the_choice() {
        set(Lang::Zh);
        assert_eq!(current(), Lang::Zh);
        assert!(is_zh());
        assert_eq!(pick("help", "帮助"), "帮助");
        let n = 3;
        assert_eq!(tr!("{n} bytes", "{n} 个字节"), "3 个字节");
        set(Lang::En);
        assert_eq!(current(), Lang::En);
        assert!(!is_zh());
        assert_eq!(pick("help", "帮助"), "help");
        assert_eq!(tr!("{} bytes", "{} 个字节", n), "3 bytes");
        // A helper started with pass_to reads the same language back.
        for lang in [Lang::En, Lang::Zh] {
            set(lang);
            let mut cmd = std::process::Command::new("true");
            pass_to(&mut cmd);
            let env: Vec<_> = cmd.get_envs().collect();
            assert_eq!(env.len(), 1);
            let value = env[0]
                .1
                .and_then(|v| v.to_str())
                .unwrap_or_default()
                .to_string();
            assert_eq!(env[0].0, "LC_ALL");
            let read = from_locale(|name| (name == "LC_ALL").then(|| value.clone()));
            assert_eq!(read, lang, "{value}");
        }
        set(Lang::En);
        // The argument parser's errors speak the language chosen.
        set(Lang::Zh);
        let words =
            |w: &[&str]| crate::cli::Args::from_vec(w.iter().map(|s| s.to_string()).collect());
        let e = words(&["--size"]).value::<u32>("--size").unwrap_err();
        assert_eq!(e.to_string(), "--size 后面要跟一个值；见 --help");
        let e = words(&["--size=x"]).value::<u32>("--size").unwrap_err();
        assert!(e.to_string().starts_with("--size 的值 \"x\" 不对："), "{e}");
        let e = words(&["--n=0"]).value_in("--n", 1..=9, 5).unwrap_err();
        assert_eq!(e.to_string(), "--n 必须在 1 到 9 之间；见 --help");
        let e = words(&["x"]).subcommand(&["a", "b"], "a").unwrap_err();
        assert_eq!(
            e.to_string(),
            "没有 \"x\" 这个模式（可选：a, b）；见 --help"
        );
        let e = words(&["--x"]).finish().unwrap_err();
        assert_eq!(e.to_string(), "无法识别的参数 \"--x\"；见 --help");
        set(Lang::En);
        // Unset: the locale decides, once, and is remembered.
        CHOSEN.store(0, Ordering::Relaxed);
        let expected = from_locale(|name| std::env::var(name).ok());
        assert_eq!(current(), expected);
        assert_ne!(CHOSEN.load(Ordering::Relaxed), 0);
        set(Lang::En);
    }
}
