//! This server runs any command anyone sends it. Treat it as dangerous.
//!
//! The course's server binds `127.0.0.1`, which is its only protection:
//! whoever can connect runs commands as the server's user, with no
//! password. If a student changes the address to `0.0.0.0` "so a friend can
//! try it", the whole network can. So here:
//!
//! * the default address is loopback, and the server prints a banner saying
//!   what it does;
//! * any other address needs `--allow-remote` *and* a token, which a framed
//!   client must send as its very first frame; the comparison takes the same
//!   time whatever the guess, so timing does not leak how much was right;
//! * the course protocol has no place for a token, so it never leaves
//!   loopback;
//! * every length the client controls has a limit, checked before any
//!   memory is allocated for it.
//!
//! A token over plain TCP can still be sniffed on the network: for real
//! remote use, use ssh itself.

use crate::Protocol;
use demo_kit::{bail_msg, tr, Result};
use std::net::SocketAddr;

/// Longest command accepted, in bytes (the course reads `recv(1024)`).
pub const MAX_COMMAND: usize = 16 * 1024;

/// Longest JSON header a course-mode client accepts from a server.
pub const MAX_HEADER: usize = 64 * 1024;

/// Most output one course-mode command may produce: it is spooled to a
/// temporary file before sending, so this bounds the disk used.
pub const MAX_COURSE_OUTPUT: u64 = 1 << 30;

/// Most connections served at once; more are closed at once, with a log line.
pub const MAX_CLIENTS: usize = 128;

/// The environment variable that can hold the token (safer than `--token`,
/// which other users can see in `ps`).
pub const TOKEN_ENV: &str = "REMOTE_SHELL_TOKEN";

/// Decide whether this address/protocol/token combination is allowed.
pub fn check_bind(
    addr: SocketAddr,
    protocol: Protocol,
    allow_remote: bool,
    token: Option<&[u8]>,
) -> Result<()> {
    if protocol == Protocol::Course && token.is_some() {
        return bail_msg(tr!(
            "the course protocol has no place for a token, so it cannot check one: \
             drop --token (and unset {TOKEN_ENV}) or use --protocol framed",
            "课程协议里没有放口令的位置，所以没法检查口令：\
             去掉 --token（并 unset {TOKEN_ENV}），或者改用 --protocol framed"
        ));
    }
    if addr.ip().is_loopback() {
        return Ok(());
    }
    if protocol == Protocol::Course {
        return bail_msg(tr!(
            "refusing to bind {addr}: the course protocol has no way to check who is \
             connecting, so it only listens on loopback (127.0.0.1); use --protocol framed \
             with --allow-remote and a token",
            "拒绝绑定 {addr}：课程协议无法确认连进来的是谁，所以只监听回环地址\
             （127.0.0.1）；请改用 --protocol framed，加上 --allow-remote 和口令"
        ));
    }
    if !allow_remote {
        return bail_msg(tr!(
            "refusing to bind {addr}: it is not a loopback address, so anyone on the network \
             could run commands; add --allow-remote and a token ({TOKEN_ENV}=... or --token) \
             if you really mean it",
            "拒绝绑定 {addr}：它不是回环地址，网络上的任何人都能来执行命令；\
             如果确实要这样做，请加上 --allow-remote 和口令（{TOKEN_ENV}=... 或 --token）"
        ));
    }
    match token {
        Some(t) if t.len() >= 8 => Ok(()),
        Some(_) => bail_msg(tr!(
            "the token must be at least 8 bytes long",
            "口令至少要 8 个字节"
        )),
        None => bail_msg(tr!(
            "--allow-remote needs a token: set {TOKEN_ENV} or pass --token",
            "--allow-remote 需要口令：设置 {TOKEN_ENV}，或者传 --token"
        )),
    }
}

/// Compare two byte strings in time that depends only on their lengths,
/// not on where they first differ.
pub fn token_matches(expected: &[u8], given: &[u8]) -> bool {
    let mut diff = (expected.len() ^ given.len()) as u64;
    for (i, &e) in expected.iter().enumerate() {
        // When the lengths differ we still walk all of `expected`.
        let g = given.get(i).copied().unwrap_or(0);
        diff |= u64::from(e ^ g);
    }
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(token_matches(b"secret-token", b"secret-token"));
        assert!(!token_matches(b"secret-token", b"secret-tokeN"));
        assert!(!token_matches(b"secret-token", b"secret"));
        assert!(!token_matches(b"secret-token", b""));
        assert!(!token_matches(b"secret", b"secret-token"));
    }

    #[test]
    fn bind_rules() {
        // The English messages (a learner's zh locale would pick Chinese).
        demo_kit::lang::set(demo_kit::lang::Lang::En);
        let lo: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:0".parse().unwrap();
        let refused = |addr, protocol, allow_remote, token: Option<&[u8]>| {
            check_bind(addr, protocol, allow_remote, token)
                .expect_err("refused")
                .to_string()
        };
        assert!(check_bind(lo, Protocol::Course, false, None).is_ok());
        assert!(check_bind(lo, Protocol::Framed, false, None).is_ok());
        // Each refusal for its own reason.
        let no_token = "the course protocol has no place for a token";
        assert!(refused(any, Protocol::Course, true, Some(b"long-enough")).starts_with(no_token));
        assert!(refused(lo, Protocol::Course, false, Some(b"long-enough")).starts_with(no_token));
        assert!(refused(any, Protocol::Course, true, None).starts_with(
            "refusing to bind 0.0.0.0:0: the course protocol has no way to check who is connecting"
        ));
        assert!(refused(any, Protocol::Framed, false, Some(b"long-enough"))
            .starts_with("refusing to bind 0.0.0.0:0: it is not a loopback address"));
        assert_eq!(
            refused(any, Protocol::Framed, true, None),
            "--allow-remote needs a token: set REMOTE_SHELL_TOKEN or pass --token"
        );
        assert_eq!(
            refused(any, Protocol::Framed, true, Some(b"7-bytes")),
            "the token must be at least 8 bytes long"
        );
        assert!(check_bind(any, Protocol::Framed, true, Some(b"8--bytes")).is_ok());
        assert!(check_bind(any, Protocol::Framed, true, Some(b"long-enough")).is_ok());
    }
}
