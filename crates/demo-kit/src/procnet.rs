//! Reading the kernel's socket tables, `/proc/net/tcp` and `/proc/net/tcp6`.
//!
//! Every line there describes one socket, with its addresses written the
//! kernel's way: `0100007F:1F90`. Two lessons read those tables (the
//! handshake's states, the addresses a machine listens on); the address
//! field means the same thing to both, so it is decoded once, here.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Decodes one address field of `/proc/net/tcp*`: `ADDRESS:PORT` in hex.
///
/// The kernel prints the address as 32-bit words, each in the machine's
/// own byte order (so `127.0.0.1` reads `0100007F` on a little-endian
/// machine), and the port as plain hex. Eight hex digits are an IPv4
/// address, thirty-two an IPv6 one; anything else is `None`.
///
/// ```
/// # #[cfg(target_endian = "little")] {
/// use demo_kit::procnet::parse_addr;
/// // IPv4, from /proc/net/tcp: 127.0.0.1 port 0x1F90 = 8080.
/// assert_eq!(parse_addr("0100007F:1F90"), Some("127.0.0.1:8080".parse().unwrap()));
/// // IPv6, from /proc/net/tcp6: ::1 port 0x0050 = 80.
/// assert_eq!(
///     parse_addr("00000000000000000000000001000000:0050"),
///     Some("[::1]:80".parse().unwrap())
/// );
/// // An IPv4 address mapped into IPv6 (a dual-stack socket): ::ffff:127.0.0.1.
/// assert_eq!(
///     parse_addr("0000000000000000FFFF00000100007F:0016"),
///     Some("[::ffff:127.0.0.1]:22".parse().unwrap())
/// );
/// # }
/// assert_eq!(demo_kit::procnet::parse_addr("0100007F"), None); // no port
/// assert_eq!(demo_kit::procnet::parse_addr("0100007F01:1F90"), None); // neither 4 nor 16 bytes
/// ```
pub fn parse_addr(field: &str) -> Option<SocketAddr> {
    let (addr, port) = field.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let mut bytes = Vec::with_capacity(16);
    for chunk in addr.as_bytes().chunks(8) {
        let word = u32::from_str_radix(std::str::from_utf8(chunk).ok()?, 16).ok()?;
        bytes.extend_from_slice(&word.to_ne_bytes());
    }
    let ip = match bytes.len() {
        4 => IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3])),
        16 => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}
