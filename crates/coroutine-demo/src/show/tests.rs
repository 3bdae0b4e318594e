//! The table's cells: times in the unit that reads best, and columns
//! that line up in both languages.

use super::*;
use demo_kit::lang::{set, Lang};

#[test]
fn times_below_10_us_read_in_ns_from_10_us_in_us() {
    assert_eq!(ns(Duration::from_nanos(73)), "73 ns");
    assert_eq!(ns(Duration::from_nanos(9_999)), "9999 ns");
    assert_eq!(ns(Duration::from_nanos(10_000)), "10.0 µs");
    assert_eq!(ns(Duration::from_nanos(57_250)), "57.2 µs");
}

#[test]
fn a_chinese_character_or_full_width_sign_takes_two_columns() {
    assert_eq!(columns("thread -> thread"), 16);
    assert_eq!(columns("进程（管道）"), 12);
    assert_eq!(columns("a，b"), 4);
    assert_eq!(columns(""), 0);
}

#[test]
fn the_rows_and_answers_line_up_in_both_languages() {
    // One test: the language is the process's, and only this one sets it.
    set(Lang::En);
    assert_eq!(
        log_line(&vec![("produce", 0), ("consume", 0)]),
        "produce 0 / consume 0"
    );
    assert_eq!((yes(true), yes(false)), ("true".into(), "false".into()));
    let en = row("process -> process (pipe)", "2603 ns", "yes");
    assert_eq!(
        en,
        format!("{:<28} {:>10}  yes", "process -> process (pipe)", "2603 ns")
    );
    set(Lang::Zh);
    assert_eq!((yes(true), yes(false)), ("是".into(), "否".into()));
    // 20 columns of text, 12 of spaces: the first column is 32 wide.
    let zh = row("进程 -> 进程（管道）", "2603 ns", "是");
    assert_eq!(
        zh,
        format!(
            "进程 -> 进程（管道）{} {:>10}  是",
            " ".repeat(12),
            "2603 ns"
        )
    );
    set(Lang::En);
}
