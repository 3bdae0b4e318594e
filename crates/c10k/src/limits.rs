//! The open-files limit (`RLIMIT_NOFILE`): every connection is a descriptor.
//!
//! A process starts with a *soft* limit (often 1024) it may raise up to the
//! *hard* limit (`ulimit -Hn`) without privileges. A server for 10,000
//! clients needs 10,000 descriptors, and so does the load generator — which
//! is why they run as separate processes here: 2 x 10,000 would not fit in
//! one process under a 20,000 hard limit.

use demo_kit::{Context, Result};
use nix::sys::resource::{getrlimit, setrlimit, Resource};

/// Descriptors a process needs besides its connections (stdio, epoll,
/// listener, the spare, /proc files...).
pub const SPARE_FDS: u64 = 32;

/// Raises the soft limit to the hard one; returns the new soft limit.
pub fn raise_nofile() -> Result<u64> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).context("getrlimit(RLIMIT_NOFILE)")?;
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard).context("setrlimit(RLIMIT_NOFILE)")?;
    }
    Ok(hard)
}

/// The hard limit, the most any process of ours can get.
pub fn hard_nofile() -> Result<u64> {
    Ok(getrlimit(Resource::RLIMIT_NOFILE)
        .context("getrlimit(RLIMIT_NOFILE)")?
        .1)
}

/// The most connections one process can hold under `limit`.
pub fn max_conns(limit: u64) -> u64 {
    limit.saturating_sub(SPARE_FDS)
}
