//! Byte compatibility with the course's Python, checked against a real
//! `python3` (present in CI). Without python3 on PATH these tests skip,
//! saying why (`demo_kit::testing::skip`: under CI that is a failure).

use framing::{Codec, Prefix};
use length_prefix_demo::{course, merge, SMALL_MESSAGES};
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(30);

fn python3() -> Option<Command> {
    match Command::new("python3").arg("--version").output() {
        Ok(o) if o.status.success() => Some(Command::new("python3")),
        _ => {
            demo_kit::testing::skip(
                "python3 is not on PATH, cannot compare with Python's struct/json",
            );
            None
        }
    }
}

/// Waits for a child we started, bounded; kills it (by its own pid) on timeout.
fn finish(mut child: Child) -> Output {
    let done = demo_kit::wait::until(TIMEOUT, || child.try_wait().ok().flatten());
    if done.is_none() {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    assert!(done.is_some(), "python3 did not finish within {TIMEOUT:?}");
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn run_python(script: &str, args: &[String]) -> Option<String> {
    let child = python3()?
        .arg("-c")
        .arg(script)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Some(String::from_utf8(finish(child).stdout).unwrap())
}

/// Python's struct.pack for each length, in format `fmt`, as hex lines.
fn python_pack(fmt: &str, lens: &[u64]) -> Option<Vec<String>> {
    let script = "import struct, sys\n\
                  fmt = sys.argv[1]\n\
                  for a in sys.argv[2:]:\n    print(struct.pack(fmt, int(a)).hex())\n";
    let mut args = vec![fmt.to_string()];
    args.extend(lens.iter().map(|n| n.to_string()));
    Some(
        run_python(script, &args)?
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

/// accept() bounded by TIMEOUT, so a python3 that dies before connecting
/// fails the test instead of hanging it.
fn accept(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).unwrap();
    let (conn, _) = demo_kit::wait::until(TIMEOUT, || listener.accept().ok())
        .expect("python3 did not connect in time");
    conn.set_nonblocking(false).unwrap();
    conn.set_read_timeout(Some(TIMEOUT)).unwrap();
    conn
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn prefix_is_what_struct_pack_produces() {
    let lens = [
        0u64,
        1,
        5,
        255,
        256,
        507,
        1024,
        65_535,
        1 << 24,
        i32::MAX as u64,
    ];
    let Some(py_i) = python_pack("i", &lens) else {
        return;
    };
    let py_net = python_pack("!I", &lens).unwrap();
    for (i, &n) in lens.iter().enumerate() {
        let ours = Prefix::CourseLe.encode(n as usize).unwrap();
        assert_eq!(hex(&ours), py_i[i], "struct.pack('i', {n})");
        let ours = Prefix::NetworkBe.encode(n as usize).unwrap();
        assert_eq!(hex(&ours), py_net[i], "struct.pack('!I', {n})");
    }
}

#[test]
fn prefixes_seen_on_the_wire_match_struct_pack() {
    // The prefixes the server really read from the socket in the merge scenario.
    demo_kit::say::set_quiet(true);
    let r = merge::run(Codec::course(), &SMALL_MESSAGES).unwrap();
    let lens: Vec<u64> = r.frames.iter().map(|f| f.payload.len() as u64).collect();
    let Some(py) = python_pack("i", &lens) else {
        return;
    };
    for (f, p) in r.frames.iter().zip(&py) {
        assert_eq!(&hex(&f.prefix), p);
    }
    demo_kit::say::set_quiet(true);
    let c = course::run(Codec::course()).unwrap();
    let py = python_pack("i", &[c.message.header_bytes.len() as u64]).unwrap();
    assert_eq!(hex(&c.message.prefix), py[0]);
}

#[test]
fn notes_header_is_python_json_dumps_507_bytes() {
    let script = "import json, struct, sys\n\
                  d = {'filename': 'a.txt', 'total_size': int(sys.argv[1]), 'hash': sys.argv[2]}\n\
                  b = json.dumps(d).encode('utf-8')\n\
                  print(len(b)); print(struct.pack('i', len(b)).hex()); print(b.hex())\n";
    let args = [
        course::NOTES_TOTAL_SIZE.to_string(),
        course::NOTES_HASH.to_string(),
    ];
    let Some(out) = run_python(script, &args) else {
        return;
    };
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "507");
    assert_eq!(lines[1], "fb010000");
    assert_eq!(lines[2], hex(&course::notes_header_bytes()));
}

/// The course's client, made correct (exact reads), reading our message
/// from a real TCP connection.
const PY_CLIENT: &str = r#"
import json, socket, struct, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=20)
def recv_exact(n):
    buf = b''
    while len(buf) < n:
        data = s.recv(n - len(buf))
        if not data:
            raise SystemExit('stream ended early')
        buf += data
    return buf
header_len = struct.unpack('i', recv_exact(4))[0]
header = json.loads(recv_exact(header_len).decode('utf-8'))
body = recv_exact(header['total_size'])
print(header_len); print(json.dumps(header, sort_keys=True)); print(body.hex())
"#;

#[test]
fn python_course_client_reads_our_message() {
    if python3().is_none() {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let child = python3()
        .unwrap()
        .args(["-c", PY_CLIENT, &port])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut conn = accept(&listener);
    let header = serde_json::json!({"filename": "a.txt", "hash": course::NOTES_HASH});
    Codec::course()
        .write_message(&mut conn, header, course::A_TXT)
        .unwrap();
    let out = String::from_utf8(finish(child).stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    let expected_header = format!(
        r#"{{"filename": "a.txt", "hash": "{}", "total_size": {}}}"#,
        course::NOTES_HASH,
        course::A_TXT.len()
    );
    assert_eq!(lines[1], expected_header);
    assert_eq!(lines[2], hex(course::A_TXT));
}

/// The course's server side: struct.pack('i', len(header_bytes)), the
/// json.dumps header, the body — sent to us over a real TCP connection.
const PY_SERVER: &str = r#"
import json, socket, struct, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=20)
for body in [b'x' * 3000, b'root\n']:
    header_bytes = json.dumps({'file': 'a.txt', 'total_size': len(body), 'hashlib': 'adasd1dfad311r'}).encode('utf-8')
    s.sendall(struct.pack('i', len(header_bytes)))
    s.sendall(header_bytes)
    s.sendall(body)
s.close()
"#;

#[test]
fn we_read_the_course_servers_messages() {
    if python3().is_none() {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let child = python3()
        .unwrap()
        .args(["-c", PY_SERVER, &port])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let conn = accept(&listener);
    let mut r = &conn;
    let codec = Codec::course();
    let first = codec.read_message(&mut r).unwrap().unwrap();
    assert_eq!(first.header["file"], "a.txt");
    assert_eq!(first.body, vec![b'x'; 3000]);
    let second = codec.read_message(&mut r).unwrap().unwrap();
    assert_eq!(second.body, b"root\n");
    assert!(codec.read_message(&mut r).unwrap().is_none());
    finish(child);
    let mut rest = Vec::new();
    (&conn).read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
}
