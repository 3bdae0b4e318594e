//! ip + port finds a socket (the notes' ip+mac+port): the kernel keeps a
//! table of every socket, keyed by its addresses, and each socket belongs
//! to the processes holding a file descriptor for it. One ip:port is not
//! always one program: accepted sockets share their listener's port, a
//! listener inherited across fork() is held by several processes, and
//! `SO_REUSEPORT` lets several sockets bind the same ip:port.
//!
//! `/proc/net/tcp` and `/proc/net/tcp6` list the TCP sockets of this
//! network namespace, each with an *inode* number; `/proc/<pid>/fd/N` is a
//! link to `socket:[INODE]` for every socket a process holds. Joining the
//! two is what `netstat -ltnp` does; `ss -ltnp` gets the table from the
//! kernel over netlink (sock_diag(7)) instead, and the owners from
//! `/proc/<pid>/fd` too. (Other users' `/proc/<pid>/fd` is readable only by
//! root: their owners show as unknown.)

use demo_kit::procnet::parse_addr;
use demo_kit::say::say;
use demo_kit::tr;
use demo_kit::Side;
use demo_kit::{Context, Result};
use std::collections::HashMap;
use std::net::SocketAddr;

/// One row of the kernel's TCP socket table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpSocket {
    pub local: SocketAddr,
    pub remote: SocketAddr,
    /// The kernel's state number: 0x0A is LISTEN, 0x01 ESTABLISHED.
    pub state: u8,
    pub uid: u32,
    pub inode: u64,
}

/// The TCP state number of a listening socket.
pub const LISTEN: u8 = 0x0A;

/// Who holds a socket: pid and command name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub pid: i32,
    pub comm: String,
}

/// Every TCP socket in `/proc/net/tcp` and `/proc/net/tcp6`.
pub fn tcp_table() -> Result<Vec<TcpSocket>> {
    let mut all = Vec::new();
    for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
        match std::fs::read_to_string(path) {
            Ok(text) => all.extend(text.lines().skip(1).filter_map(parse_line)),
            Err(_) if path.ends_with('6') => {} // a kernel without IPv6
            Err(e) => {
                return Err(e).context(tr!(
                    "reading {path} (is this Linux?)",
                    "读取 {path}（这是 Linux 吗？）"
                ))
            }
        }
    }
    Ok(all)
}

/// Parses `sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...`.
/// The addresses (`0100007F:1F90` → 127.0.0.1:8080: 32-bit words in the
/// machine's byte order, then the port in hex) are decoded by
/// [`demo_kit::procnet::parse_addr`].
///
/// ```
/// let s = address_demo::sockets::parse_line(
///     "0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 1000 0 4242 1").unwrap();
/// assert_eq!((s.local.to_string(), s.state, s.uid, s.inode), ("127.0.0.1:8080".into(), 0x0A, 1000, 4242));
/// ```
pub fn parse_line(line: &str) -> Option<TcpSocket> {
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() < 10 {
        return None;
    }
    Some(TcpSocket {
        local: parse_addr(f[1])?,
        remote: parse_addr(f[2])?,
        state: u8::from_str_radix(f[3], 16).ok()?,
        uid: f[7].parse().ok()?,
        inode: f[9].parse().ok()?,
    })
}

/// inode → owners, from every `/proc/<pid>/fd/*` we may read.
pub fn socket_owners() -> HashMap<u64, Vec<Owner>> {
    let mut owners: HashMap<u64, Vec<Owner>> = HashMap::new();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return owners;
    };
    for p in procs.flatten() {
        let Some(pid) = p.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
            continue; // gone, or another user's process
        };
        let comm = demo_kit::procfs::stat(pid)
            .map(|s| s.comm)
            .unwrap_or_default();
        for fd in fds.flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            let target = target.to_string_lossy();
            if let Some(inode) = target
                .strip_prefix("socket:[")
                .and_then(|t| t.strip_suffix(']'))
            {
                if let Ok(inode) = inode.parse() {
                    let list = owners.entry(inode).or_default();
                    if !list.iter().any(|o| o.pid == pid) {
                        list.push(Owner {
                            pid,
                            comm: comm.clone(),
                        });
                    }
                }
            }
        }
    }
    owners
}

/// The inode of one of our own sockets (`fstat` on its fd).
pub fn inode_of(fd: &impl std::os::fd::AsRawFd) -> Result<u64> {
    use std::os::unix::fs::MetadataExt;
    let path = format!("/proc/self/fd/{}", fd.as_raw_fd());
    Ok(std::fs::metadata(&path)
        .with_context(|| format!("fstat {path}"))?
        .ino())
}

/// Step 2 of the demo: bind a listener, then find it (and us) in the
/// kernel's table, like `netstat -ltnp`.
pub fn find_ourselves() -> Result<()> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("bind() 127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let inode = inode_of(&listener)?;
    say(
        Side::Server,
        tr!(
            "bind() + listen(): the kernel gave me {addr}; fstat says my socket is inode {inode}",
            "bind() + listen()：内核给了我 {addr}；fstat 说我的套接字是 inode {inode}"
        ),
    );
    let table = tcp_table()?;
    let me = table.iter().find(|s| s.inode == inode).context(tr!(
        "our listener is not in /proc/net/tcp",
        "/proc/net/tcp 里没有我们的监听套接字"
    ))?;
    let owners = socket_owners();
    let who: Vec<String> = owners
        .get(&inode)
        .into_iter()
        .flatten()
        .map(|o| format!("{} (pid {})", o.comm, o.pid))
        .collect();
    say(
        Side::Kernel,
        tr!(
            "/proc/net/tcp + tcp6: {} sockets; {} LISTEN, uid {}, inode {}",
            "/proc/net/tcp + tcp6：共 {} 个套接字；{} LISTEN，uid {}，inode {}",
            table.len(),
            me.local,
            me.uid,
            me.inode
        ),
    );
    say(
        Side::Kernel,
        tr!(
            "/proc/*/fd: socket:[{inode}] is held by {} — I am pid {}",
            "/proc/*/fd：socket:[{inode}] 的持有者是 {}——我的 pid 是 {}",
            who.join(", "),
            std::process::id()
        ),
    );
    let same_port = table
        .iter()
        .filter(|s| s.local.port() == addr.port() && s.state == LISTEN)
        .count();
    say(
        Side::Note,
        tr!(
            "{same_port} listening socket(s) on port {}, held by {} process(es): here ip + port leads to one program; \
             not always (accepted sockets share the port, a forked child shares the listener, SO_REUSEPORT)",
            "端口 {} 上有 {same_port} 个监听套接字，由 {} 个进程持有：这里 ip + 端口对应一个程序；\
             但并不总是这样（accept 出来的套接字共用这个端口，fork 出的子进程共享监听套接字，还有 SO_REUSEPORT）",
            addr.port(),
            who.len()
        ),
    );
    Ok(())
}
