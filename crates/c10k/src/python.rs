//! The Python servers, shipped in this crate (`py/*.py`) and run with
//! `python3 -c`, so they need no file on disk.

/// `socketserver.ThreadingTCPServer`: a thread per connection.
pub const THREADING: &str = include_str!("../py/threading_echo.py");
/// `asyncio.start_server`: one event loop, a task per connection.
pub const ASYNCIO: &str = include_str!("../py/asyncio_echo.py");

/// The source for a `py-*` model, if it is one.
pub fn source(model: &str) -> Option<&'static str> {
    match model {
        "py-threading" => Some(THREADING),
        "py-asyncio" => Some(ASYNCIO),
        _ => None,
    }
}

/// Is `python3` on this machine? (`None`: yes; `Some(why)`: no.)
pub fn missing() -> Option<String> {
    match std::process::Command::new("python3")
        .arg("--version")
        .output()
    {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!("python3 --version failed ({})", out.status)),
        Err(e) => Some(format!("python3 is not available ({e})")),
    }
}
