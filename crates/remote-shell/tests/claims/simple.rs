//! The notes' server, done right (`simple-server`, src/simple.rs): framed
//! both ways with `struct.pack('i')`, stdout and stderr read at the same
//! time, sizes and exit code in the header, every child reaped.

use crate::common::{ServerProc, PATIENCE};
use framing::{total_size, Codec, Header};
use std::io::Read;
use std::net::TcpStream;

/// The client side, as the notes' client would be with a framed command:
/// the command in one frame, then a header and exactly `total_size` bytes.
fn request(conn: &mut TcpStream, cmd: &str) -> (Header, Vec<u8>) {
    let codec = Codec::course();
    codec.write_frame(conn, cmd.as_bytes()).unwrap();
    let header = codec.read_header(conn).unwrap().expect("a reply");
    let mut body = Vec::new();
    conn.take(total_size(&header).unwrap())
        .read_to_end(&mut body)
        .unwrap();
    (header, body)
}

fn connect(server: &ServerProc) -> TcpStream {
    let conn = TcpStream::connect(server.addr).unwrap();
    conn.set_read_timeout(Some(PATIENCE)).unwrap();
    conn
}

#[test]
fn two_quick_commands_get_two_replies_with_sizes_and_exit_codes() {
    let server = ServerProc::start_mode("simple-server", &[], &[]);
    let mut conn = connect(&server);
    // Sent back to back: framed, they cannot stick together.
    let codec = Codec::course();
    codec.write_frame(&mut conn, b"echo a").unwrap();
    let (header, body) = request(&mut conn, "echo out; echo err >&2; exit 3");
    assert_eq!(body, b"a\n", "the first reply is the first command's");
    assert_eq!(header["exit_code"], 0);
    let header = codec.read_header(&mut conn).unwrap().unwrap();
    let mut body = vec![0; total_size(&header).unwrap() as usize];
    conn.read_exact(&mut body).unwrap();
    assert_eq!(
        body, b"err\nout\n",
        "stderr first, then stdout, as in the notes"
    );
    assert_eq!(
        (
            &header["stderr_size"],
            &header["stdout_size"],
            &header["exit_code"]
        ),
        (&4.into(), &4.into(), &3.into())
    );
}

/// The stderr flood that deadlocks the notes' server (stdout read to the
/// end before stderr) passes here.
#[test]
fn a_stderr_flood_does_not_deadlock_it() {
    let server = ServerProc::start_mode("simple-server", &[], &[]);
    let mut conn = connect(&server);
    let (header, body) = request(&mut conn, "head -c 1000000 /dev/zero >&2; echo done");
    assert_eq!(header["stderr_size"], 1_000_000);
    assert!(body.ends_with(b"done\n"));
}

#[test]
fn it_serves_the_next_client_after_one_hangs_up_and_reaps_every_child() {
    let mut server = ServerProc::start_mode("simple-server", &["--clients", "2"], &[]);
    for i in 0..2 {
        let mut conn = connect(&server);
        let (_, body) = request(&mut conn, &format!("echo client {i}"));
        assert_eq!(body, format!("client {i}\n").as_bytes());
        // The reply comes after `wait`: the shell is already reaped.
        assert_eq!(children(server.pid()), Vec::<i32>::new(), "a child left");
    }
    // --clients 2: it exits by itself; no zombie was left along the way.
    let (status, _) = server.wait_exit(PATIENCE).expect("it did not exit");
    assert!(status.success(), "{status:?}");
    server.expect_log("hung up");
}

/// Children of `pid`, zombies included.
fn children(pid: i32) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(demo_kit::procfs::stat)
        .filter(|s| s.ppid == pid)
        .map(|s| s.pid)
        .collect()
}
