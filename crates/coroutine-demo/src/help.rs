//! The `--help` text in both languages (kept out of `main.rs`, which holds
//! the list of steps).

pub const HELP: &str = "\
coroutine-demo: 协程 — switching and saving the state in user space

USAGE: cargo run -p coroutine-demo -- [STEP] [OPTIONS]

STEP (default: all, in this order):
  state      1. a producer/consumer as an enum + match, then as async fn
                (the size of its state machine next to a thread's stack)
  stackful   2. two coroutines with their own stacks (swapcontext, like greenlet)
  switch     3. the cost of one switch: process, thread, swapcontext, future
  runtime    4. our runtime on epoll, every poll/Pending/epoll_wait/wake
                printed, for an echo server and two clients on one thread
  echo       5. the echo server on one thread against client threads, one
                of which vanishes mid-frame
  cpu        6. computation split into coroutines: no faster
  python     7. generators, asyncio, greenlet and gevent (if installed)
  all        every step

OPTIONS:
  --switches N   round trips for step 3's process and thread rows
                 (default 20000, 1000..=1000000; swapcontext and futures do 10x)
  --clients N    clients of step 5 (default 8, 1..=500)
  --frames N     frames per client in step 5 (default 50, 1..=100000)
  --limit N      step 6 counts the primes below N (default 300000, 10000..=50000000)
  --tasks N      step 6 splits the work into N coroutines (default 4, 1..=1000)
  --lang L       the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
  -h, --help     this text";

pub const HELP_ZH: &str = "\
coroutine-demo：协程——在用户态里自己切换、自己保存状态

用法：cargo run -p coroutine-demo -- [步骤] [选项]

步骤（默认 all，按下面的顺序）：
  state      1. 生产者/消费者，先写成 enum + match，再写成 async fn
                （它的状态机有多大，和一个线程的栈对比）
  stackful   2. 两个协程，各有自己的栈（swapcontext，和 greenlet 一样）
  switch     3. 一次切换的开销：进程、线程、swapcontext、future
  runtime    4. 基于 epoll 的运行时：一个回显服务端加两个客户端跑在一个线程上，
                每次 poll/Pending/epoll_wait/wake 都打印出来
  echo       5. 一个线程上的回显服务端，对付多个客户端线程，
                其中一个发到半帧就消失
  cpu        6. 把计算拆成多个协程：并不会更快
  python     7. 生成器、asyncio、greenlet 和 gevent（装了才跑）
  all        所有步骤

选项：
  --switches N   第 3 步进程行和线程行的来回次数
                 （默认 20000，1000..=1000000；swapcontext 和 future 做 10 倍）
  --clients N    第 5 步的客户端数（默认 8，1..=500）
  --frames N     第 5 步每个客户端发的帧数（默认 50，1..=100000）
  --limit N      第 6 步数出小于 N 的素数（默认 300000，10000..=50000000）
  --tasks N      第 6 步把工作拆成 N 个协程（默认 4，1..=1000）
  --lang L       输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
  -h, --help     显示本帮助";
