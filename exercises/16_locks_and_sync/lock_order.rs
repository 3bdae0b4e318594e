// Exercise `lock_order` — lesson 16, locks and synchronisation (死锁):
// docs/16-locks-and-sync.md
//
// Two bank accounts, each behind its own `Mutex`. `transfer` locks the
// account it takes money from, then the one it gives to. One thread
// transfers a → b while another transfers b → a: each takes its first lock,
// then waits for the other's — forever. That is the lesson's deadlock.
//
// Fix `transfer` (marked BUG) with ONE global lock order: whatever the
// direction, always lock the account with the smaller `id` first. Keep the
// `between()` call right after the first lock is taken: the tests use it
// to let both threads take their first lock before either asks for its
// second, so the wrong order deadlocks every time instead of once in a
// while. (A deadlocked test fails after its deadline: "TIMED OUT".)
//
// 中文：
// 练习 `lock_order`——第 16 课，锁与同步（死锁）。
//
// 两个银行账户，各有自己的 `Mutex`。`transfer` 先锁住要扣钱的账户，再锁要加钱
// 的账户。一个线程从 a 转账到 b，同时另一个从 b 转账到 a：各自拿到第一把锁，再
// 等对方手里的那把——永远等下去。这就是本课讲的死锁。
//
// 用一个全局统一的加锁顺序修好 `transfer`（标着 BUG）：不管转账方向如何，总是
// 先锁 `id` 较小的账户。把 `between()` 调用保留在拿到第一把锁之后：测试靠它让
// 两个线程都先拿到第一把锁、再去要第二把，这样错误的顺序每次都会死锁，而不是偶
// 尔才死锁一次。（死锁的测试会在期限到了之后失败："TIMED OUT"。）

use std::sync::Mutex;

struct Account {
    id: u32,
    balance: Mutex<i64>,
}

/// Moves `amount` from `from` to `to`, holding both locks while it does.
/// `between` is called once, right after the first lock is taken.
fn transfer(from: &Account, to: &Account, amount: i64, between: &dyn Fn()) {
    // BUG: the order depends on the direction of the transfer.
    let mut from_balance = from.balance.lock().unwrap();
    between();
    let mut to_balance = to.balance.lock().unwrap();
    *from_balance -= amount;
    *to_balance += amount;
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::sync::{Arc, Condvar};
    use std::time::Duration;

    /// Waits (at most 100 ms) until `parties` threads have called it.
    struct Rendezvous {
        arrived: Mutex<usize>,
        cv: Condvar,
        parties: usize,
    }

    impl Rendezvous {
        fn wait(&self) {
            let mut n = self.arrived.lock().unwrap();
            *n += 1;
            self.cv.notify_all();
            let target = self.parties;
            let _ = self
                .cv
                .wait_timeout_while(n, Duration::from_millis(100), |n| *n % target != 0)
                .unwrap();
        }
    }

    fn accounts() -> Arc<(Account, Account)> {
        Arc::new((
            Account { id: 1, balance: Mutex::new(1_000) },
            Account { id: 2, balance: Mutex::new(1_000) },
        ))
    }

    /// A transfer moves the money from one account to the other, in either direction.
    /// 中文：一次转账把钱从一个账户转到另一个账户，两个方向都对。
    #[test]
    fn one_transfer_moves_money() {
        within(10, || {
            let acc = accounts();
            transfer(&acc.0, &acc.1, 300, &|| {});
            transfer(&acc.1, &acc.0, 100, &|| {});
            assert_eq!(*acc.0.balance.lock().unwrap(), 800);
            assert_eq!(*acc.1.balance.lock().unwrap(), 1_200);
        });
    }

    // The deadlines: a right answer takes milliseconds here, and a deadlock
    // lasts forever, so a few seconds tell the two apart even on one busy
    // core; a longer deadline only makes the shipped (deadlocking) version
    // slower to fail.
    /// Transfers a to b and b to a at the same time do not deadlock, and the total stays 2000.
    /// 中文：a 转 b 和 b 转 a 同时进行也不会死锁，总额仍是 2000。
    #[test]
    fn opposite_transfers_at_once_do_not_deadlock() {
        within(2, || {
            let acc = accounts();
            let meet = Arc::new(Rendezvous { arrived: Mutex::new(0), cv: Condvar::new(), parties: 2 });
            let threads: Vec<_> = [true, false]
                .into_iter()
                .map(|a_to_b| {
                    let (acc, meet) = (acc.clone(), meet.clone());
                    std::thread::spawn(move || {
                        for _ in 0..5 {
                            let (from, to) = if a_to_b { (&acc.0, &acc.1) } else { (&acc.1, &acc.0) };
                            transfer(from, to, 10, &|| meet.wait());
                        }
                    })
                })
                .collect();
            for t in threads {
                t.join().unwrap();
            }
            let total = *acc.0.balance.lock().unwrap() + *acc.1.balance.lock().unwrap();
            assert_eq!(total, 2_000, "money was created or destroyed");
        });
    }

    // No yield between the two locks here: with a yield, each of the 20,000
    // transfers gave the CPU away, and on a busy machine (a load average of
    // 30) the right answer took longer than the deadline. The deadlock of
    // the wrong order is proven by the test above, every time.
    /// Four threads making 20,000 transfers both ways finish, and no money is created or lost.
    /// 中文：四个线程双向共转账 2 万次，全部完成，钱不多也不少。
    #[test]
    fn many_threads_many_transfers_keep_the_total() {
        within(2, || {
            let acc = accounts();
            let threads: Vec<_> = (0..4)
                .map(|i| {
                    let acc = acc.clone();
                    std::thread::spawn(move || {
                        for k in 0..5_000 {
                            let (from, to) = if (i + k) % 2 == 0 { (&acc.0, &acc.1) } else { (&acc.1, &acc.0) };
                            transfer(from, to, 1, &|| {});
                        }
                    })
                })
                .collect();
            for t in threads {
                t.join().unwrap();
            }
            let total = *acc.0.balance.lock().unwrap() + *acc.1.balance.lock().unwrap();
            assert_eq!(total, 2_000);
        });
    }
}
