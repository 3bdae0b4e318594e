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
