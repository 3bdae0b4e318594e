//! A tiny command-line parser, so that every demo has `--help` and `--lang`
//! and rejects bad input with a clear message instead of a panic.
//!
//! The course is about sockets and processes, not about argument parsing, so
//! this stays deliberately small: flags (`--ipv6`), options with a value
//! (`--addr 127.0.0.1:0` or `--addr=127.0.0.1:0`), and positional words
//! (`merge`). Unknown leftovers are an error that points at `--help`.
//! `--lang en|zh` is every demo's: [`Args::parse`] takes it first and sets
//! the language ([`crate::lang`]) before anything is printed, `--help`
//! included; the help is given in both languages as a pair, `(HELP, HELP_ZH)`.
//!
//! ```
//! use demo_kit::cli::Args;
//! # demo_kit::lang::set(demo_kit::lang::Lang::En);
//! let mut args = Args::from_vec(vec!["split".into(), "--size=4096".into()]);
//! assert_eq!(args.value::<usize>("--size").unwrap(), Some(4096));
//! assert_eq!(args.positional().as_deref(), Some("split"));
//! args.finish().unwrap();
//! ```

use crate::fail::{Error, Result};
use crate::lang::{self, Lang};
use crate::tr;
use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;

/// A demo's `--help` text: one `&str` (English only), or a pair
/// `(english, chinese)` of which the chosen language's is printed.
pub trait Help {
    fn text(&self) -> &str;
}

impl Help for &str {
    fn text(&self) -> &str {
        self
    }
}

impl Help for (&str, &str) {
    fn text(&self) -> &str {
        lang::pick(self.0, self.1)
    }
}

/// The arguments not consumed yet.
#[derive(Debug)]
pub struct Args {
    rest: Vec<String>,
}

impl Args {
    /// Reads the process arguments. First `--lang en|zh`, if given, sets the
    /// language (a bad value is an error: exit status 1). Then, if `-h` or
    /// `--help` is among them, prints `help` and exits with status 0.
    pub fn parse(help: impl Help) -> Args {
        let mut args = Args {
            rest: std::env::args().skip(1).collect(),
        };
        match args.take_lang() {
            Ok(chosen) => lang::set(chosen.unwrap_or_else(lang::current)),
            Err(e) => {
                eprintln!("{}", tr!("error: {e}", "错误：{e}"));
                std::process::exit(1);
            }
        }
        if args.rest.iter().any(|a| a == "-h" || a == "--help") {
            println!("{}", help.text().trim_end());
            std::process::exit(0);
        }
        args
    }

    /// Removes `--lang VALUE` (or `--lang=VALUE`) and returns the language
    /// it names; `None` without one.
    ///
    /// ```
    /// use demo_kit::{cli::Args, lang::Lang};
    /// let mut args = Args::from_vec(vec!["--lang=zh-CN".into(), "merge".into()]);
    /// assert_eq!(args.take_lang().unwrap(), Some(Lang::Zh));
    /// assert_eq!(args.positional().as_deref(), Some("merge"));
    /// let mut args = Args::from_vec(vec!["--lang".into(), "fr".into()]);
    /// assert!(args.take_lang().unwrap_err().to_string().contains("use en or zh"));
    /// ```
    pub fn take_lang(&mut self) -> Result<Option<Lang>> {
        match self.value::<String>("--lang")? {
            None => Ok(None),
            Some(v) => lang::parse(&v).map(Some).map_err(Error::msg),
        }
    }

    /// Builds from explicit words (used by tests and doc examples).
    pub fn from_vec(rest: Vec<String>) -> Args {
        Args { rest }
    }

    /// Removes `name` if present and reports whether it was there.
    pub fn flag(&mut self, name: &str) -> bool {
        let before = self.rest.len();
        self.rest.retain(|a| a != name);
        self.rest.len() != before
    }

    /// Removes `name VALUE` or `name=VALUE` and parses the value.
    pub fn value<T: FromStr>(&mut self, name: &str) -> Result<Option<T>>
    where
        T::Err: std::fmt::Display,
    {
        let prefix = format!("{name}=");
        let Some(i) = self
            .rest
            .iter()
            .position(|a| a == name || a.starts_with(&prefix))
        else {
            return Ok(None);
        };
        let word = self.rest.remove(i);
        let raw = match word.strip_prefix(&prefix) {
            Some(v) => v.to_string(),
            None => {
                if i >= self.rest.len() {
                    return Err(Error::msg(tr!(
                        "{name} needs a value; see --help",
                        "{name} 后面要跟一个值；见 --help"
                    )));
                }
                self.rest.remove(i)
            }
        };
        raw.parse::<T>().map(Some).map_err(|e| {
            Error::msg(tr!(
                "bad value {raw:?} for {name}: {e}; see --help",
                "{name} 的值 {raw:?} 不对：{e}；见 --help"
            ))
        })
    }

    /// Like [`Args::value`], with a default and a range: a value outside
    /// `range` is refused with the same message every demo gives.
    ///
    /// ```
    /// use demo_kit::cli::Args;
    /// # demo_kit::lang::set(demo_kit::lang::Lang::En);
    /// let mut args = Args::from_vec(vec!["--runs".into(), "3".into()]);
    /// assert_eq!(args.value_in("--runs", 10..=5000, 200).unwrap_err().to_string(),
    ///            "--runs must be between 10 and 5000; see --help");
    /// let mut args = Args::from_vec(vec![]);
    /// assert_eq!(args.value_in("--runs", 10..=5000, 200).unwrap(), 200);
    /// ```
    pub fn value_in<T>(&mut self, name: &str, range: RangeInclusive<T>, default: T) -> Result<T>
    where
        T: FromStr + PartialOrd + Display,
        T::Err: Display,
    {
        let v = self.value::<T>(name)?.unwrap_or(default);
        if range.contains(&v) {
            Ok(v)
        } else {
            Err(Error::msg(tr!(
                "{name} must be between {} and {}; see --help",
                "{name} 必须在 {} 到 {} 之间；见 --help",
                range.start(),
                range.end()
            )))
        }
    }

    /// Takes the first positional word as a subcommand (a mode, a scenario)
    /// and checks it is one of `known`; with none given, `default`.
    ///
    /// ```
    /// use demo_kit::cli::Args;
    /// # demo_kit::lang::set(demo_kit::lang::Lang::En);
    /// let known = ["merge", "split", "all"];
    /// let mut args = Args::from_vec(vec!["split".into()]);
    /// assert_eq!(args.subcommand(&known, "all").unwrap(), "split");
    /// let mut args = Args::from_vec(vec!["nope".into()]);
    /// assert!(args.subcommand(&known, "all").unwrap_err().to_string()
    ///     .starts_with("unknown mode \"nope\" (choose one of: merge, split, all)"));
    /// ```
    pub fn subcommand(
        &mut self,
        known: &[&'static str],
        default: &'static str,
    ) -> Result<&'static str> {
        let Some(word) = self.positional() else {
            return Ok(default);
        };
        known.iter().copied().find(|k| *k == word).ok_or_else(|| {
            Error::msg(tr!(
                "unknown mode {word:?} (choose one of: {}); see --help",
                "没有 {word:?} 这个模式（可选：{}）；见 --help",
                known.join(", ")
            ))
        })
    }

    /// Removes and returns the first word that does not start with `-`.
    pub fn positional(&mut self) -> Option<String> {
        let i = self.rest.iter().position(|a| !a.starts_with('-'))?;
        Some(self.rest.remove(i))
    }

    /// Fails if anything was not understood.
    pub fn finish(self) -> Result<()> {
        match self.rest.first() {
            None => Ok(()),
            Some(word) => Err(Error::msg(tr!(
                "unexpected argument {word:?}; see --help",
                "无法识别的参数 {word:?}；见 --help"
            ))),
        }
    }
}
