//! A tiny command-line parser, so that every demo has `--help` and rejects
//! bad input with a clear message instead of a panic.
//!
//! The course is about sockets and processes, not about argument parsing, so
//! this stays deliberately small: flags (`--ipv6`), options with a value
//! (`--addr 127.0.0.1:0` or `--addr=127.0.0.1:0`), and positional words
//! (`merge`). Unknown leftovers are an error that points at `--help`.
//!
//! ```
//! use demo_kit::cli::Args;
//! let mut args = Args::from_vec(vec!["split".into(), "--size=4096".into()]);
//! assert_eq!(args.value::<usize>("--size").unwrap(), Some(4096));
//! assert_eq!(args.positional().as_deref(), Some("split"));
//! args.finish().unwrap();
//! ```

use crate::fail::{Error, Result};
use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;

/// The arguments not consumed yet.
#[derive(Debug)]
pub struct Args {
    rest: Vec<String>,
}

impl Args {
    /// Reads the process arguments. If `-h` or `--help` is among them,
    /// prints `help` and exits with status 0.
    pub fn parse(help: &str) -> Args {
        let rest: Vec<String> = std::env::args().skip(1).collect();
        if rest.iter().any(|a| a == "-h" || a == "--help") {
            println!("{}", help.trim_end());
            std::process::exit(0);
        }
        Args { rest }
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
                    return Err(Error::msg(format!("{name} needs a value; see --help")));
                }
                self.rest.remove(i)
            }
        };
        raw.parse::<T>()
            .map(Some)
            .map_err(|e| Error::msg(format!("bad value {raw:?} for {name}: {e}; see --help")))
    }

    /// Like [`Args::value`], with a default and a range: a value outside
    /// `range` is refused with the same message every demo gives.
    ///
    /// ```
    /// use demo_kit::cli::Args;
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
            Err(Error::msg(format!(
                "{name} must be between {} and {}; see --help",
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
            Error::msg(format!(
                "unknown mode {word:?} (choose one of: {}); see --help",
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
            Some(word) => Err(Error::msg(format!(
                "unexpected argument {word:?}; see --help"
            ))),
        }
    }
}
