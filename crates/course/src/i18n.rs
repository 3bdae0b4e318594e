//! Every message the runner prints, in English and in Simplified Chinese.
//!
//! The course follows Chinese notes, and many of its students read Chinese
//! first, so the runner speaks their language when the locale asks for it
//! (`LC_ALL`, then `LC_MESSAGES`, then `LANG`: the first one set decides, as
//! POSIX says; Chinese when it starts with `zh`) or when `--lang zh-CN` is
//! given. `--lang en` forces English.
//!
//! Each message is one pair, English then Chinese, side by side, so that a
//! change to one is seen next to the other. The terms are the notes' (练习,
//! 提示, 答案, 通过, 待完成, 超时; docs/glossary.md), and the punctuation
//! next to Chinese is full-width (，：；（）！？):
//! crates/demo-kit/tests/chinese.rs checks both. What the tests and the
//! compiler print is passed through unchanged.

use std::sync::atomic::{AtomicBool, Ordering};

/// A language the runner speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
}

static CHINESE: AtomicBool = AtomicBool::new(false);

/// Sets the language for every message from now on (English by default).
pub fn set(lang: Lang) {
    CHINESE.store(lang == Lang::ZhCn, Ordering::Relaxed);
}

/// The language in use.
pub fn lang() -> Lang {
    if CHINESE.load(Ordering::Relaxed) {
        Lang::ZhCn
    } else {
        Lang::En
    }
}

/// A lesson's topic as the lists show it: the catalog's English, or in
/// Chinese the notes' own name for the lesson (by its number).
pub fn topic(english: &'static str) -> &'static str {
    match lang() {
        Lang::En => english,
        Lang::ZhCn => topic_zh(english).unwrap_or(english),
    }
}

/// The Chinese name of the lesson a catalog topic ("05 sticky packets")
/// belongs to, by its number.
fn topic_zh(english: &str) -> Option<&'static str> {
    Some(match english.get(..2)? {
        "01" => "01 三次握手与四次挥手",
        "02" => "02 C/S 与 B/S",
        "03" => "03 互联网与地址",
        "04" => "04 可靠与不可靠",
        "05" => "05 粘包",
        "06" => "06 自定义报头",
        "07" => "07 模拟ssh",
        "08" => "08 开启进程",
        "09" => "09 进程的方法与属性",
        "10" => "10 进程间内存隔离",
        "11" => "11 守护进程",
        "12" => "12 互斥锁",
        "13" => "13 IPC机制",
        "14" => "14 生产者与消费者",
        "15" => "15 线程",
        "16" => "16 锁与同步",
        "17" => "17 进程池与线程池",
        "18" => "18 IO模型",
        "19" => "19 协程",
        "20" => "20 C10K",
        "21" => "21 亲手实现 TCP",
        _ => return None,
    })
}

/// The lesson to read: in Chinese, its twin in `docs/zh-CN/`.
pub fn lesson(path: &'static str) -> String {
    match (lang(), path.strip_prefix("docs/")) {
        (Lang::ZhCn, Some(file)) => format!("docs/zh-CN/{file}"),
        _ => path.to_string(),
    }
}

/// The language the locale asks for: the first of `LC_ALL`, `LC_MESSAGES`,
/// `LANG` that is set and not empty decides; Chinese if it starts with `zh`.
/// The rule is the demos' own (`demo_kit::lang::from_locale`), so the
/// runner and the demos always agree.
pub fn from_locale(var: impl Fn(&str) -> Option<String>) -> Lang {
    from_demo_kit(demo_kit::lang::from_locale(var))
}

/// The language a `--lang` value names: `en` (or `en-US`, ...) and `zh-CN`
/// (also `zh`, `zh_CN`, `zh-Hans`), as the demos read it
/// (`demo_kit::lang::parse`); anything else is an error to show, in the
/// runner's words.
pub fn parse_lang(value: &str) -> Result<Lang, String> {
    demo_kit::lang::parse(value)
        .map(from_demo_kit)
        .map_err(|_| unknown_lang(value))
}

fn from_demo_kit(lang: demo_kit::lang::Lang) -> Lang {
    match lang {
        demo_kit::lang::Lang::En => Lang::En,
        demo_kit::lang::Lang::Zh => Lang::ZhCn,
    }
}

fn zh() -> bool {
    lang() == Lang::ZhCn
}

/// Picks the text of a fixed message.
fn pick(en: &'static str, zh_cn: &'static str) -> &'static str {
    if zh() {
        zh_cn
    } else {
        en
    }
}

/// Declares a message with arguments: `name(args) => "English", "中文"`.
/// Both texts are `format!` strings over the arguments.
macro_rules! msg {
    ($( $name:ident ( $($arg:ident : $ty:ty),* ) => $en:literal, $zh:literal; )*) => {
        $(
            pub fn $name($($arg: $ty),*) -> String {
                if zh() { format!($zh) } else { format!($en) }
            }
        )*
    };
}

/// Declares a fixed message: `name => "English", "中文"`.
macro_rules! fixed {
    ($( $name:ident => $en:literal, $zh:literal; )*) => {
        $(
            pub fn $name() -> &'static str { pick($en, $zh) }
        )*
    };
}

pub fn help() -> &'static str {
    pick(
        "\
course: the exercise runner (exercises/README.md explains it all)

usage: cargo run -p course [-- COMMAND] [--lang en|zh-CN]

  (no command)        the first exercise not done yet, then your progress
  watch               re-check the current exercise whenever a file is saved;
                      moves on when it passes (type q + Enter to quit)
  list                every exercise with its status and lesson
  check NAME          compile and test one exercise, show what fails
  hint NAME           a hint for one exercise
  reset NAME [--yes]  put an exercise back as it was shipped (asks first)
  solution NAME [--force]
                      show the solution (only once yours passes, or --force)
  verify              prove every exercise both ways on a scratch copy: each
                      fails untouched and passes with its solution, clippy
                      clean (your files are not touched)

  --lang en|zh-CN     the runner's language (default: from LC_ALL,
                      LC_MESSAGES or LANG; Chinese when it starts with zh)

Done is never a stored flag: an exercise is done when it compiles and its
tests pass. A verdict is remembered only as long as nothing it depends on
has changed (the file, exercises/Cargo.toml, Cargo.lock, src/, the Rust
toolchain); `check NAME` always runs it again.
Colours only on a terminal, never when NO_COLOR is set.",
        "\
course：练习运行器（exercises/README.zh-CN.md 有完整说明）

用法：cargo run -p course [-- 命令] [--lang en|zh-CN]

  （不带命令）        第一个还没完成的练习，然后是你的进度
  watch               每次保存文件都重新检查当前练习；通过后自动进入下一个
                      （输入 q 再按回车退出）
  list                列出所有练习，以及各自的状态和对应课程
  check NAME          编译并测试一个练习，显示哪里没通过
  hint NAME           某个练习的提示
  reset NAME [--yes]  把练习恢复成初始版本（会先询问）
  solution NAME [--force]
                      查看答案（你的练习通过之后才显示，或者加 --force）
  verify              在临时副本上双向验证每个练习：原样必须失败，换上答案
                      必须通过，并且 clippy 无警告（不会动你的文件）

  --lang en|zh-CN     运行器使用的语言（默认看 LC_ALL、LC_MESSAGES 或 LANG；
                      以 zh 开头时用中文）

“完成”状态不会被保存：练习能编译、测试全部通过，才算完成。检查结果只在它所依赖的
东西都没变时才会沿用（练习文件、exercises/Cargo.toml、Cargo.lock、src/、Rust 工具链）；
`check NAME` 每次都会重新运行。
只在终端里显示颜色，设置了 NO_COLOR 时不显示。",
    )
}

msg! {
    unknown_lang(value: &str) =>
        "unknown language {value:?} for --lang: use en or zh-CN",
        "--lang 不支持语言 {value:?}：请用 en 或 zh-CN";
    checking(n: usize) =>
        "checking {n} exercise(s) (compiling and running their tests)...",
        "正在检查 {n} 个练习（编译并运行测试）……";
    which_missing(name: &str, all: &str) =>
        "no exercise called {name:?}; the exercises are: {all}",
        "没有叫 {name:?} 的练习；现有的练习是：{all}";
    unknown_command(cmd: &str) =>
        "unknown command {cmd:?}; see --help",
        "未知命令 {cmd:?}；见 --help";
    reading(path: &str) => "reading {path}", "读取 {path}";
    progress(done: usize, total: usize) => "{done}/{total} done", "已完成 {done}/{total}";
    skipped_count(k: usize) => ", {k} skipped", "，跳过 {k} 个";
    next_header(name: &str, topic: &str, lesson: &str) =>
        "Next: {name}  ({topic}, lesson {lesson})",
        "下一个练习：{name}（{topic}，讲解见 {lesson}）";
    file_line(path: &str) => "File: exercises/{path}", "文件：exercises/{path}";
    edit_then_check(name: &str) =>
        "Edit the file; then `cargo run -p course -- check {name}` (or `-- watch`). Stuck? `-- hint {name}`.",
        "修改这个文件，然后运行 `cargo run -p course -- check {name}`（或者 `-- watch`）。卡住了？试试 `-- hint {name}`。";
    remembered(name: &str) =>
        "(remembered from an earlier check: nothing it depends on has changed since; `-- check {name}` runs it again)",
        "（沿用之前的检查结果：它所依赖的东西从那以后都没有变；`-- check {name}` 会重新运行）";
    mark_skipped(reason: &str) => "skipped: {reason}", "已跳过：{reason}";
    does_not_compile(name: &str) => "{name} does not compile yet", "{name} 还不能编译";
    does_not_pass(name: &str) =>
        "{name} does not pass yet (stuck? `-- hint {name}`)",
        "{name} 还没有通过（卡住了？试试 `-- hint {name}`）";
    check_skipped(reason: &str) =>
        "Its tests ran, but skipped what they check on this machine: {reason}.\nIt is not counted as done (nor as failed); `cargo run -p course` moves on past it.",
        "测试运行了，但在这台机器上跳过了要检查的部分：{reason}。\n它不算完成（也不算失败）；`cargo run -p course` 会跳过它，继续下一个。";
    passes(name: &str) => "{name} passes!", "{name} 通过了！";
    skipped_moving_on(name: &str, reason: &str) =>
        "{name} skipped: {reason} (moving on)",
        "{name} 已跳过：{reason}（继续下一个）";
    all_skipped_note(k: usize) =>
        "({k} skipped: not checked on this machine, see `list`)",
        "（{k} 个已跳过：在这台机器上没有检查，见 `list`）";
    no_zh_hint(name: &str) =>
        "(No Chinese hint for {name} yet; here is the English one.)",
        "（这个练习 {name} 还没有中文提示，下面是英文原文。）";
    already_shipped(path: &str) =>
        "exercises/{path} is already as shipped.",
        "exercises/{path} 已经是初始版本了。";
    restore_question(path: &str) =>
        "Restore exercises/{path} as shipped? Your changes will be lost. [y/N] ",
        "把 exercises/{path} 恢复成初始版本？你的修改会丢失。[y/N] ";
    back_as_shipped(path: &str) =>
        "exercises/{path} is back as shipped.",
        "exercises/{path} 已恢复成初始版本。";
    solution_locked(name: &str) =>
        "{name} does not pass yet. Try `-- hint {name}` first; or see the solution anyway with `-- solution {name} --force`",
        "{name} 还没有通过。先试试 `-- hint {name}`；或者用 `-- solution {name} --force` 直接看答案";
    solution_compare(path: &str) =>
        "(exercises/solutions/{path}; compare it with yours: `diff exercises/{path} exercises/solutions/{path}`)",
        "（exercises/solutions/{path}；和你的对比一下：`diff exercises/{path} exercises/solutions/{path}`）";
    verifying(n: usize, dir: &str) =>
        "verifying {n} exercises on scratch copies in {dir} (two builds; your files are not touched)...",
        "正在 {dir} 里的临时副本上验证 {n} 个练习（构建两次；不会动你的文件）……";
    took(secs: f64) => "(took {secs:.0} s)", "（用时 {secs:.0} 秒）";
    not_proven_here(reason: &str) =>
        "skipped (not proven here: {reason})",
        "已跳过（未在本机验证：{reason}）";
    not_proven_count(k: usize) =>
        "{k} exercise(s) skipped and were not proven here (see above); run verify where they can run (e.g. as root) to prove them.",
        "有 {k} 个练习被跳过，未在本机验证（见上）；请在它们能运行的环境里（例如以 root 身份）再运行 verify。";
    untouched_no_compile(errors: &str) =>
        "does not compile untouched:\n{errors}",
        "原样无法编译：\n{errors}";
    solution_no_compile(errors: &str) =>
        "solution does not compile:\n{errors}",
        "答案无法编译：\n{errors}";
    solution_fails(out: &str) => "solution fails:\n{out}", "答案没有通过：\n{out}";
    solution_clippy(out: &str) =>
        "solution is not clippy clean:\n{out}",
        "答案有 clippy 警告：\n{out}";
    still_running(pids: &str) =>
        "processes started by the exercises' tests are still running: {pids}",
        "练习的测试启动的进程还在运行：{pids}";
    clippy_general(target: &str, text: &str) => "clippy ({target}):\n{text}", "clippy（{target}）：\n{text}";
    cargo_did_not_build(tail: &str) =>
        "cargo did not build it:\n{tail}",
        "cargo 构建失败：\n{tail}";
    cargo_took_too_long(secs: u64, tail: &str) =>
        "cargo took longer than {secs} s\n{tail}",
        "cargo 运行超过了 {secs} 秒\n{tail}";
    explained(name: &str, why: &str) => "  {name}: {why}", "  {name}：{why}";
    stopped_after(secs: u64) =>
        "(stopped: the tests were still running after {secs} s)",
        "（已停止：{secs} 秒后测试仍在运行，超时）";
}

fixed! {
    done_word => " done", " 完成";
    progress_word => "Progress", "进度";
    all_done => "All done!", "全部完成！";
    no_tests_ran =>
        "(no test ran: were the exercise's tests deleted? `reset NAME` puts the shipped file back)",
        "（一个测试都没有运行：练习里的测试被删掉了吗？`reset NAME` 可以恢复发布时的文件）";
    every_exercise_passes =>
        "Every exercise passes. `cargo run -p course -- verify` proves the set itself.",
        "所有练习都通过了。`cargo run -p course -- verify` 可以验证这套练习本身。";
    which_exercise => "which exercise? give its NAME; see `list`", "哪个练习？请给出练习名 NAME；见 `list`";
    building => "building the exercises workspace", "构建练习工作区";
    mark_done => "✓ done", "✓ 已完成";
    mark_todo => "✗ todo", "✗ 待完成";
    mark_no_compile => "✗ does not compile", "✗ 编译失败";
    mark_skip_short => "– skipped", "– 已跳过";
    all_tests_pass =>
        "All its tests pass. `cargo run -p course` shows the next exercise.",
        "所有测试都通过了。`cargo run -p course` 会显示下一个练习。";
    watching =>
        "Watching for saves... (q + Enter: quit, h + Enter: hint, Enter: check again)",
        "正在等待保存……（q + 回车：退出，h + 回车：提示，直接回车：再检查一次）";
    every_exercise_passes_short => "Every exercise passes.", "所有练习都通过了。";
    reset_needs_yes =>
        "reset asks before overwriting your work; pass --yes to confirm",
        "reset 会先询问再覆盖你的代码；加上 --yes 表示确认";
    reading_answer => "reading your answer", "读取你的回答";
    nothing_changed => "Nothing changed.", "没有做任何修改。";
    running_proof => "running the proof", "运行验证";
    col_exercise => "exercise", "练习";
    col_untouched => "untouched", "原样";
    col_solved => "with its solution", "换上答案";
    fails_good => "fails (good)", "失败（符合预期）";
    passes_defect => "PASSES (defect)", "通过（有缺陷）";
    no_compile_upper => "DOES NOT COMPILE", "无法编译";
    passes_good => "passes (good)", "通过（符合预期）";
    fails_defect => "FAILS (defect)", "失败（有缺陷）";
    clean => "clean", "无警告";
    warnings => "WARNINGS", "有警告";
    verify_ok =>
        "Every exercise fails untouched and passes with its solution.",
        "每个练习原样都失败，换上答案都通过。";
    verify_defective => "some exercises are defective (see above)", "有练习存在缺陷（见上）";
    workspace_word => "workspace", "工作区";
    error_word => "error", "错误";
    colon => ":", "：";
    failing_checks =>
        "These checks do not pass yet; what each one proves:",
        "这些检查还没通过，它们要验证的是：";
    untouched_passes => "passes untouched (nothing to do?)", "原样就能通过（没有要做的事？）";
}

/// Whether `line` is the runner's own "stopped" note, in either language.
pub fn is_stopped_line(line: &str) -> bool {
    line.starts_with("(stopped:") || line.starts_with("（已停止")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_decides_in_posix_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(from_locale(env(&[("LANG", "zh_CN.UTF-8")])), Lang::ZhCn);
        assert_eq!(from_locale(env(&[("LANG", "en_US.UTF-8")])), Lang::En);
        assert_eq!(from_locale(env(&[])), Lang::En);
        // LC_ALL before LC_MESSAGES before LANG; empty means unset.
        let all = env(&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")]);
        assert_eq!(from_locale(all), Lang::En);
        let msgs = env(&[("LC_MESSAGES", "zh_TW"), ("LANG", "en_US")]);
        assert_eq!(from_locale(msgs), Lang::ZhCn);
        let empty = env(&[("LC_ALL", ""), ("LANG", "zh_CN.UTF-8")]);
        assert_eq!(from_locale(empty), Lang::ZhCn);
    }

    /// The runner's own "stopped" note (`stopped_after`), in either language,
    /// and nothing else: a run stopped by the time limit is not remembered.
    #[test]
    fn the_stopped_note_is_known_in_both_languages() {
        assert!(is_stopped_line(
            "(stopped: the tests were still running after 60 s)"
        ));
        assert!(is_stopped_line("（已停止：60 秒后测试仍在运行，超时）"));
        assert!(!is_stopped_line("test tests::a ... FAILED"));
        assert!(!is_stopped_line(" (stopped: indented, so a test's own"));
    }

    #[test]
    fn lang_values() {
        assert_eq!(parse_lang("zh-CN"), Ok(Lang::ZhCn));
        assert_eq!(parse_lang("zh_CN"), Ok(Lang::ZhCn));
        assert_eq!(parse_lang("en"), Ok(Lang::En));
        let e = parse_lang("fr").unwrap_err();
        assert!(e.contains("\"fr\"") && e.contains("zh-CN"), "{e}");
    }

    #[test]
    fn every_exercise_has_a_chinese_topic_and_lesson() {
        for e in crate::catalog::all() {
            let zh =
                topic_zh(e.topic).unwrap_or_else(|| panic!("no Chinese topic for {}", e.topic));
            assert_eq!(zh.get(..2), e.topic.get(..2), "{}", e.name);
            let file = e
                .lesson
                .strip_prefix("docs/")
                .expect("lessons live in docs/");
            let twin = crate::catalog::exercises_dir()
                .join("../docs/zh-CN")
                .join(file);
            assert!(
                twin.exists(),
                "{} has no Chinese lesson {}",
                e.name,
                twin.display()
            );
        }
    }
}
