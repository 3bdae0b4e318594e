//! `watch`: re-check the current exercise whenever a file is saved.
//!
//! Saves are noticed by polling modification times five times a second.
//! File notification APIs are faster but miss saves on WSL, network drives
//! and with editors that replace files; polling works everywhere.
//!
//! After a pass, the next exercise is on screen at once: the exercises
//! after it were checked when watch started and are remembered while their
//! files are unchanged (`course::cache`); the progress line follows.

use crate::show::{check_one, next_from, paint, progress, show_current};
use course::catalog;
use course::i18n;
use course::runner::Status;
use demo_kit::Result;
use std::io::BufRead;
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

/// Newest modification time among the exercise files.
fn newest_change() -> Option<SystemTime> {
    catalog::all()
        .iter()
        .filter_map(|e| {
            std::fs::metadata(catalog::exercises_dir().join(e.path))
                .ok()?
                .modified()
                .ok()
        })
        .max()
}

pub fn watch() -> Result<()> {
    // Commands typed while watching arrive on a channel, one line each.
    let (tx, typed) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { return };
            if tx.send(line.trim().to_string()).is_err() {
                return;
            }
        }
    });
    let checker = crate::show::checker();
    // Taken before each check: a save during the check is a change too.
    let mut seen = newest_change();
    let mut current = next_from(&checker, 0)?;
    loop {
        let Some((i, verdict)) = &current else {
            let (verdicts, line) = progress(&checker)?;
            println!("\n{line}");
            println!(
                "\n{} {}",
                paint("32", i18n::all_done()),
                i18n::every_exercise_passes_short()
            );
            let skipped = crate::show::skipped_count(&verdicts);
            if skipped > 0 {
                println!("{}", i18n::all_skipped_note(skipped));
            }
            return Ok(());
        };
        let e = &catalog::all()[*i];
        println!("\n{}", "─".repeat(60));
        show_current(e, verdict);
        println!("\n{}", progress(&checker)?.1);
        println!("\n{}", i18n::watching());
        // Wait for a save or a command.
        let fresh = loop {
            match typed.recv_timeout(Duration::from_millis(200)) {
                Ok(cmd) if cmd == "q" => return Ok(()),
                Ok(cmd) if cmd == "h" => {
                    crate::hint(e)?;
                    continue;
                }
                // Enter: check again for real, whatever is remembered.
                Ok(_) => break true,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if newest_change() != seen {
                        break false;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    if newest_change() != seen {
                        break false;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        };
        seen = newest_change();
        let now = check_one(&checker, e, fresh)?;
        current = match &now.status {
            Status::Passed => {
                println!("\n{} {}", paint("32", "✓"), i18n::passes(e.name));
                next_from(&checker, i + 1)?
            }
            Status::Skipped(reason) => {
                println!(
                    "\n{}",
                    paint("36", &i18n::skipped_moving_on(e.name, reason))
                );
                next_from(&checker, i + 1)?
            }
            _ => Some((*i, now)),
        };
    }
}
