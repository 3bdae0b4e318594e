//! The narration of each step: run the scenario, then say what the kernel
//! did, in plain words. Every figure printed here was just measured.

use demo_kit::say::{say, show_bytes};
use demo_kit::{tr, Result, Side};
use io_models_demo::multiplex::Model;
use io_models_demo::{blocking, cost, edge, fdsetsize, multiplex, nonblocking};
use std::time::Duration;

pub fn blocking(wait: Duration) -> Result<Duration> {
    say(
        Side::Server,
        tr!(
            "a thread calls recv() on a blocking socket with nothing in it",
            "一个线程在一个空的阻塞套接字上调用 recv()"
        ),
    );
    let r = blocking::run(b"hello after a pause", wait)?;
    say(
        Side::Kernel,
        tr!(
            "/proc/self/task/{}/stat: state {} (sleeping) while recv waits",
            "/proc/self/task/{}/stat：recv 等待期间状态是 {}（睡眠）",
            r.tid,
            r.state
        ),
    );
    match &r.wchan {
        Some(w) => say(
            Side::Kernel,
            tr!(
                "/proc/self/task/{}/wchan: {w} (the kernel function it sleeps in)",
                "/proc/self/task/{}/wchan：{w}（它阻塞在这个内核函数里）",
                r.tid
            ),
        ),
        None => say(
            Side::Kernel,
            tr!(
                "wchan is not readable here (the kernel hides it); the state says enough",
                "这里读不到 wchan（内核把它藏起来了）；看状态就够了"
            ),
        ),
    }
    say(
        Side::Client,
        tr!(
            "sends {} after {wait:?}",
            "{wait:?} 后发送 {}",
            show_bytes(&r.received)
        ),
    );
    say(
        Side::Server,
        tr!(
            "recv returned {} bytes after {:.1?}",
            "{1:.1?} 后 recv 返回了 {0} 个字节",
            r.received.len(),
            r.waited
        ),
    );
    say(
        Side::Kernel,
        tr!(
            "CPU time the waiting thread used (getrusage): {:?}",
            "等待的线程用掉的 CPU 时间（getrusage）：{:?}",
            r.cpu
        ),
    );
    Ok(r.cpu)
}

pub fn nonblocking(wait: Duration, blocking_cpu: Duration) -> Result<()> {
    say(
        Side::Server,
        tr!(
            "fcntl(F_SETFL, O_NONBLOCK), then recv() on the empty socket",
            "fcntl(F_SETFL, O_NONBLOCK)，然后在空套接字上 recv()"
        ),
    );
    let r = nonblocking::run(b"hello after a pause", wait)?;
    match r.first_error {
        Some(e) => say(
            Side::Kernel,
            tr!(
                "recv failed at once with {e}: no data yet, come back later",
                "recv 立即失败，返回 {e}：暂时还没有数据，待会儿再来"
            ),
        ),
        None => say(
            Side::Kernel,
            tr!(
                "recv returned data at once (unexpected)",
                "recv 立即返回了数据（出乎意料）"
            ),
        ),
    }
    say(
        Side::Server,
        tr!(
            "a busy loop calls recv again and again until the message comes",
            "忙轮询一遍又一遍地调用 recv，直到消息到来"
        ),
    );
    say(
        Side::Server,
        tr!(
            "got {} after {:.1?} and {} wasted recv calls (EAGAIN)",
            "{1:.1?} 后收到 {0}，中间白白调用了 {2} 次 recv（EAGAIN）",
            show_bytes(&r.received),
            r.waited,
            r.wasted_calls
        ),
    );
    say(
        Side::Kernel,
        tr!(
            "CPU time the loop burned: {:.1?} (the blocking wait used {blocking_cpu:?})",
            "这个循环烧掉的 CPU 时间：{:.1?}（阻塞等待只用了 {blocking_cpu:?}）",
            r.cpu
        ),
    );
    say(
        Side::Note,
        tr!("non-blocking alone just moves the waiting into your loop; it pays off with multiplexing", "光有非阻塞，只是把等待挪进了你自己的循环；要和多路复用配合才划算"),
    );
    Ok(())
}

pub fn multiplex(clients: usize) -> Result<()> {
    for (model, name) in [
        (Model::Select, "select"),
        (Model::Poll, "poll"),
        (Model::Epoll, "epoll"),
    ] {
        let r = multiplex::run(model, clients, 3)?;
        let ok = if r.all_echoed {
            tr!("every echo came back unchanged", "每个回显都原样返回")
        } else {
            tr!("SOME ECHOES WERE WRONG", "有回显出错了")
        };
        say(Side::Server, tr!("{name}: 1 thread served {} clients x 3 messages: {} echoes in {} {name} calls; {ok}", "{name}：1 个线程服务了 {} 个客户端 x 3 条消息：{} 次回显，用了 {} 次 {name} 调用；{ok}", r.clients, r.echoes, r.waits));
    }
    say(Side::Note, tr!("no thread per client: the thread sleeps in one call for all sockets, then serves the ready ones", "不必每个客户端一个线程：线程在一次调用里同时等所有套接字，然后处理就绪的那些"));
    Ok(())
}

pub fn fdsetsize() -> Result<()> {
    let r = fdsetsize::run()?;
    say(
        Side::Server,
        tr!(
            "fcntl(F_DUPFD, 1024) made a readable socket numbered {}",
            "fcntl(F_DUPFD, 1024) 得到一个可读的套接字，编号 {}",
            r.high_fd
        ),
    );
    match &r.select_refused {
        Some(why) => say(
            Side::Server,
            tr!("select refused: {why}", "select 拒绝了：{why}"),
        ),
        None => say(
            Side::Server,
            tr!(
                "select accepted it (unexpected)",
                "select 接受了它（出乎意料）"
            ),
        ),
    }
    say(
        Side::Kernel,
        tr!(
            "poll on fd {}: readable = {}",
            "在 fd {} 上 poll：可读 = {}",
            r.high_fd,
            r.poll_readable
        ),
    );
    say(
        Side::Kernel,
        tr!(
            "epoll_wait on fd {}: readable = {}",
            "在 fd {} 上 epoll_wait：可读 = {}",
            r.high_fd,
            r.epoll_readable
        ),
    );
    say(
        Side::Note,
        tr!(
            "in C, FD_SET(1024, &set) writes past the bitmap: undefined behaviour; we check first",
            "在 C 里，FD_SET(1024, &set) 会写到位图外面：未定义行为；我们先做了检查"
        ),
    );
    Ok(())
}

pub fn cost(sizes: &[usize]) -> Result<()> {
    let (soft, _) = io_models_demo::raise_nofile()?;
    say(Side::Note, tr!("open-files limit raised to {soft}; median of many calls, each finding the 1 active socket", "打开文件数上限已提高到 {soft}；取多次调用的中位数，每次都找出那 1 个活跃的套接字"));
    say(
        Side::Note,
        tr!(
            "   idle sockets |     select |       poll | epoll_wait",
            "     空闲套接字 |     select |       poll | epoll_wait"
        ),
    );
    for &idle in sizes {
        if idle as u64 + 64 > soft {
            say(
                Side::Note,
                tr!(
                    "{idle:>15} | skipped: needs {idle} descriptors, the limit is {soft}",
                    "{idle:>15} | 跳过：需要 {idle} 个描述符，上限是 {soft}"
                ),
            );
            continue;
        }
        let c = cost::measure(idle, (20_000 / idle).clamp(20, 2000))?;
        let select = c
            .select
            .map_or("fd>=1024".to_string(), |d| format!("{d:.1?}"));
        say(
            Side::Kernel,
            format!(
                "{:>15} | {select:>10} | {:>10} | {:>10}",
                c.idle,
                format!("{:.1?}", c.poll),
                format!("{:.1?}", c.epoll_wait)
            ),
        );
    }
    say(Side::Note, tr!("select and poll check every socket on every call; epoll_wait hands over the ready list only", "select 和 poll 每次调用都要检查每个套接字；epoll_wait 只交出就绪列表"));
    Ok(())
}

pub fn edge(wait: Duration) -> Result<()> {
    for edge_triggered in [false, true] {
        let name = if edge_triggered {
            tr!(
                "edge-triggered (EPOLLIN|EPOLLET)",
                "边缘触发（EPOLLIN|EPOLLET）"
            )
        } else {
            tr!("level-triggered (EPOLLIN)", "水平触发（EPOLLIN）")
        };
        let r = edge::partial_read(edge_triggered, 1000, 100, wait)?;
        say(
            Side::Client,
            tr!(
                "{name}: the client sends {} bytes",
                "{name}：客户端发送 {} 个字节",
                r.sent
            ),
        );
        say(
            Side::Server,
            tr!(
                "epoll_wait: readable; recv takes only {} bytes; epoll_wait again",
                "epoll_wait：可读；recv 只取走 {} 个字节；再次 epoll_wait",
                r.first_read
            ),
        );
        if r.reported_again {
            say(
                Side::Kernel,
                tr!(
                    "reported again after {:.1?}: {} bytes are still waiting",
                    "{:.1?} 后再次报告：还有 {} 个字节在等着",
                    r.second_wait,
                    r.left_in_buffer
                ),
            );
        } else {
            say(Side::Kernel, tr!("STALL: nothing reported for {:.0?}, yet {} bytes sit in the buffer (FIONREAD): no new edge", "卡住了：{:.0?} 内什么也没报告，可缓冲区里还有 {} 个字节（FIONREAD）：没有新的边缘", r.second_wait, r.left_in_buffer));
        }
    }
    let r = edge::read_until_eagain(1000, 100)?;
    say(Side::Server, tr!("the fix, edge-triggered: read until EAGAIN: {} of {} bytes in {} recv calls (the last said EAGAIN)", "边缘触发下的解决办法：一直读到 EAGAIN：读到了 {0} 个字节（共 {1} 个），用了 {2} 次 recv（最后一次返回 EAGAIN）", r.read, r.sent, r.recv_calls));
    say(
        Side::Kernel,
        tr!(
            "the client sends more: reported again = {} (new data, new edge)",
            "客户端再发一些：再次报告 = {}（新数据，新边缘）",
            r.new_data_reported
        ),
    );
    Ok(())
}
