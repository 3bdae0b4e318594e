//! The Python side, run in the same run: the course's generator
//! producer/consumer, asyncio (standard library), and greenlet and gevent
//! when they are installed. Each script prints `key value` lines.
//!
//! A missing `python3`, greenlet or gevent is not an error: the report says
//! what is missing and how to install it, and those lines are skipped.

use demo_kit::python::{field, run};
use demo_kit::Result;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// The course's producer/consumer with a generator: `x = yield` and `g.send(i)`.
pub const GENERATOR: &str = r#"
import sys, time
log = []
def consumer():
    while True:
        x = yield          # stops here; g.send(x) resumes here
        log.append('consume %d' % x)
g = consumer()
next(g)                    # run to the first yield
for i in range(3):
    log.append('produce %d' % i)
    g.send(i)
print('log', ' / '.join(log))

n = int(sys.argv[1])
def quiet():
    while True:
        x = yield
def timed(body):   # the fastest of 5: a busy machine only adds time
    best = None
    for _ in range(5):
        t = time.perf_counter()
        body()
        took = time.perf_counter() - t
        best = took if best is None else min(best, took)
    return best
g = quiet(); next(g)
def sends():
    for i in range(n):
        g.send(i)
def bare():
    for i in range(n):
        pass
sent, empty = timed(sends), timed(bare)
print('generator_switch_ns', max(sent - empty, 0) / (2 * n) * 1e9)
"#;

/// asyncio: the cost of a switch between two tasks, and an echo server
/// serving two clients on one thread.
pub const ASYNCIO: &str = r#"
import asyncio, struct, sys, threading, time
n = int(sys.argv[1])
async def spin(k):
    for _ in range(k):
        await asyncio.sleep(0)     # back to the event loop: a switch
async def switches():
    t = time.perf_counter()
    await asyncio.gather(spin(n), spin(n))
    return (time.perf_counter() - t) / (2 * n)
threads = set()
async def handle(reader, writer):  # one task per connection
    threads.add(threading.get_ident())
    try:
        while True:
            header = await reader.readexactly(4)
            (size,) = struct.unpack('<i', header)
            body = await reader.readexactly(size)
            writer.write(header + body)
            await writer.drain()
    except asyncio.IncompleteReadError:
        writer.close()
async def client(port, who):
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    got = []
    for i in (1, 2):
        body = ('frame %d from client %s' % (i, who)).encode()
        writer.write(struct.pack('<i', len(body)) + body)
        (size,) = struct.unpack('<i', await reader.readexactly(4))
        got.append(await reader.readexactly(size))
    writer.close()
    return got
async def main():
    per = await switches()
    server = await asyncio.start_server(handle, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    a, b = await asyncio.gather(client(port, 'A'), client(port, 'B'))
    server.close()
    print('asyncio_switch_ns', per * 1e9)
    print('asyncio_echoes', len(a) + len(b))
    print('asyncio_server_threads', len(threads))
asyncio.run(main())
"#;

/// greenlet's switch, if installed.
pub const GREENLET: &str = r#"
import sys, time
try:
    from greenlet import greenlet
except ImportError:
    print('greenlet_missing 1'); sys.exit(0)
n = int(sys.argv[1])
def ping():
    for _ in range(n):
        other.switch()
def pong():
    while True:
        main_one.switch()
main_one, other = greenlet(ping), greenlet(pong)
t = time.perf_counter()
main_one.switch()
print('greenlet_switch_ns', (time.perf_counter() - t) / (2 * n) * 1e9)
"#;

/// gevent: after `monkey.patch_all()` the plain socket code of lesson 07
/// switches greenlets whenever it would block.
pub const GEVENT: &str = r#"
import sys
try:
    from gevent import monkey
except ImportError:
    print('gevent_missing 1'); sys.exit(0)
monkey.patch_all()                 # socket, time.sleep, ... now switch instead of blocking
import socket, struct, gevent
# threading is patched too (a greenlet is its "thread"): ask the real one.
get_ident = monkey.get_original('_thread', 'get_ident')
threads = set()
def recv_exact(s, k):
    data = b''
    while len(data) < k:
        chunk = s.recv(k - len(data))  # would block: gevent switches to another greenlet
        if not chunk:
            break
        data += chunk
    return data
def handle(conn):                  # lesson 07's per-connection loop, unchanged
    threads.add(get_ident())
    while True:
        header = recv_exact(conn, 4)
        if len(header) < 4:
            break
        (size,) = struct.unpack('<i', header)
        conn.sendall(header + recv_exact(conn, size))
    conn.close()
def serve(listener, count):
    for _ in range(count):
        conn, _ = listener.accept()
        gevent.spawn(handle, conn)
def client(port, who):
    s = socket.create_connection(('127.0.0.1', port))
    got = 0
    for i in (1, 2):
        body = ('frame %d from client %s' % (i, who)).encode()
        s.sendall(struct.pack('<i', len(body)) + body)
        (size,) = struct.unpack('<i', recv_exact(s, 4))
        got += len(recv_exact(s, size)) == size
    s.close()
    return got
listener = socket.socket(); listener.bind(('127.0.0.1', 0)); listener.listen(8)
port = listener.getsockname()[1]
server = gevent.spawn(serve, listener, 2)
clients = [gevent.spawn(client, port, w) for w in 'AB']
gevent.joinall(clients, timeout=20)
print('gevent_socket_module', socket.socket.__module__)
print('gevent_echoes', sum(c.value or 0 for c in clients))
print('gevent_server_threads', len(threads))
"#;

/// What the Python side measured; `None` where a package is missing.
#[derive(Debug, Default)]
pub struct Report {
    pub python: bool,
    pub generator_log: Option<String>,
    pub generator_switch_ns: Option<f64>,
    pub asyncio_switch_ns: Option<f64>,
    pub asyncio_echoes: Option<f64>,
    pub asyncio_server_threads: Option<f64>,
    pub greenlet_switch_ns: Option<f64>,
    pub gevent_module: Option<String>,
    pub gevent_echoes: Option<f64>,
    pub gevent_server_threads: Option<f64>,
}

fn text_field(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .map(|v| v.trim().to_string())
}

/// Runs the four scripts; `n` switches for the timings.
pub fn run_all(n: u64) -> Result<Report> {
    let args = [n.to_string()];
    let Some(gen) = run(GENERATOR, &args, LIMIT)? else {
        return Ok(Report::default());
    };
    let mut r = Report {
        python: true,
        generator_log: text_field(&gen, "log "),
        generator_switch_ns: Some(field(&gen, "generator_switch_ns")?),
        ..Report::default()
    };
    if let Some(a) = run(ASYNCIO, &[(n / 10).max(1).to_string()], LIMIT)? {
        r.asyncio_switch_ns = Some(field(&a, "asyncio_switch_ns")?);
        r.asyncio_echoes = Some(field(&a, "asyncio_echoes")?);
        r.asyncio_server_threads = Some(field(&a, "asyncio_server_threads")?);
    }
    if let Some(g) = run(GREENLET, &args, LIMIT)? {
        r.greenlet_switch_ns = field(&g, "greenlet_switch_ns").ok();
    }
    if let Some(g) = run(GEVENT, &[], LIMIT)? {
        r.gevent_module = text_field(&g, "gevent_socket_module ");
        r.gevent_echoes = field(&g, "gevent_echoes").ok();
        r.gevent_server_threads = field(&g, "gevent_server_threads").ok();
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_field_is_the_rest_of_the_first_line_with_its_key() {
        let out = "generator_switch_ns 80.5\ngevent_socket_module  gevent._socket3 \nlog a\n";
        assert_eq!(
            text_field(out, "gevent_socket_module "),
            Some("gevent._socket3".to_string())
        );
        assert_eq!(text_field(out, "log "), Some("a".to_string()));
        assert_eq!(text_field(out, "greenlet_switch_ns"), None);
    }
}
