// Exercise `lock_order` — solution. See exercises/16_locks_and_sync/lock_order.rs.

use std::sync::Mutex;

struct Account {
    id: u32,
    balance: Mutex<i64>,
}

/// Moves `amount` from `from` to `to`, holding both locks while it does.
/// `between` is called once, right after the first lock is taken.
fn transfer(from: &Account, to: &Account, amount: i64, between: &dyn Fn()) {
    // One global order: the smaller id first, whatever the direction.
    let (first, second) = if from.id < to.id { (from, to) } else { (to, from) };
    let mut first_balance = first.balance.lock().unwrap();
    between();
    let mut second_balance = second.balance.lock().unwrap();
    let (from_balance, to_balance) = if from.id < to.id {
        (&mut *first_balance, &mut *second_balance)
    } else {
        (&mut *second_balance, &mut *first_balance)
    };
    *from_balance -= amount;
    *to_balance += amount;
}
