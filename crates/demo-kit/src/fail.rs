//! Errors a student can act on.
//!
//! A demo fails for real reasons: a port is in use, the program lacks the
//! privilege for a raw socket, `/proc` is missing because this is not Linux.
//! A panic with a backtrace hides the reason; a bare `Os { code: 98 }` does
//! not say what to do. So every fallible step adds *context* ("binding the
//! server to 127.0.0.1:8080") and [`run`] prints the chain on one line and
//! exits with status 1.

use std::fmt;
use std::process::ExitCode;

/// An error message (already carrying its context) plus the OS error
/// number it came from, if any.
pub struct Error {
    message: String,
    os_error: Option<i32>,
    exit_code: u8,
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with a message and no underlying cause.
    pub fn msg(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            os_error: None,
            exit_code: 1,
        }
    }

    /// Uses `code` as the process exit status instead of 1.
    pub fn with_exit_code(mut self, code: u8) -> Error {
        self.exit_code = code;
        self
    }

    /// The status [`run`] exits with for this error.
    pub fn exit_code(&self) -> u8 {
        self.exit_code
    }

    /// The underlying OS error number (`errno`), if the cause was an I/O or
    /// nix error; lets a demo react to `EPERM` or `EADDRINUSE`.
    pub fn raw_os_error(&self) -> Option<i32> {
        self.os_error
    }
}

/// `Error::msg` as a function that returns `Err`, for early exits.
pub fn bail_msg<T>(message: impl Into<String>) -> Result<T> {
    Err(Error::msg(message))
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Error {
    fn from(e: E) -> Error {
        let any: &dyn std::any::Any = &e;
        let os_error = match any.downcast_ref::<std::io::Error>() {
            Some(io) => io.raw_os_error(),
            None => nix_errno(any),
        };
        Error {
            message: e.to_string(),
            os_error,
            exit_code: 1,
        }
    }
}

#[cfg(unix)]
fn nix_errno(any: &dyn std::any::Any) -> Option<i32> {
    any.downcast_ref::<nix::Error>().map(|n| *n as i32)
}

#[cfg(not(unix))]
fn nix_errno(_: &dyn std::any::Any) -> Option<i32> {
    None
}

/// Adds context to a failure: `file.read(..).context("reading the header")`.
///
/// ```
/// use demo_kit::Context;
/// let r: Result<(), std::io::Error> = Err(std::io::ErrorKind::AddrInUse.into());
/// let e = r.context("binding 127.0.0.1:8080").unwrap_err();
/// assert!(e.to_string().starts_with("binding 127.0.0.1:8080: "));
/// ```
pub trait Context<T> {
    fn context(self, message: impl Into<String>) -> Result<T>;
    fn with_context<M: Into<String>>(self, message: impl FnOnce() -> M) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context(self, message: impl Into<String>) -> Result<T> {
        self.map_err(|e| wrap(e.into(), message.into()))
    }
    fn with_context<M: Into<String>>(self, message: impl FnOnce() -> M) -> Result<T> {
        self.map_err(|e| wrap(e.into(), message().into()))
    }
}

impl<T> Context<T> for Option<T> {
    fn context(self, message: impl Into<String>) -> Result<T> {
        self.ok_or_else(|| Error::msg(message))
    }
    fn with_context<M: Into<String>>(self, message: impl FnOnce() -> M) -> Result<T> {
        self.ok_or_else(|| Error::msg(message()))
    }
}

fn wrap(inner: Error, context: String) -> Error {
    Error {
        message: format!("{context}: {}", inner.message),
        ..inner
    }
}

/// The body of every demo's `main`: runs `body`, and on failure prints
/// `error: <message>` (in Chinese `错误：<message>`) to stderr and exits
/// with the error's status (1 unless set otherwise). No panic, no backtrace.
pub fn run(body: impl FnOnce() -> Result<()>) -> ExitCode {
    match body() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", crate::tr!("error: {e}", "错误：{e}"));
            ExitCode::from(e.exit_code)
        }
    }
}

/// The message for a failed `bind`, with the fix a student needs.
///
/// ```
/// let e = std::io::Error::from(std::io::ErrorKind::AddrInUse);
/// let msg = demo_kit::fail::bind_error("127.0.0.1:8080", &e).to_string();
/// assert!(msg.contains("is another server running? try --addr 127.0.0.1:0"));
/// ```
pub fn bind_error(addr: &str, e: &std::io::Error) -> Error {
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            "the port is in use: is another server running? try --addr 127.0.0.1:0"
        }
        std::io::ErrorKind::AddrNotAvailable => {
            "that address is not on this machine: use 127.0.0.1"
        }
        std::io::ErrorKind::PermissionDenied => {
            "ports below 1024 need privileges: pick a port above 1024 or 0"
        }
        _ => "check the address",
    };
    Error::msg(format!("cannot bind {addr} ({e}): {hint}"))
}
