//! `watch`: re-check the current exercise whenever a file is saved.
//!
//! Saves are noticed by polling modification times twice a second. File
//! notification APIs are faster but miss saves on WSL, network drives and
//! with editors that replace files; polling works everywhere.

use crate::show::{check_all, paint, show_current};
use course::catalog::{self, Exercise, EXERCISES};
use demo_kit::Result;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

/// Newest modification time among the exercise files.
fn newest_change() -> Option<SystemTime> {
    EXERCISES
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
    let all: Vec<&Exercise> = EXERCISES.iter().collect();
    let statuses = check_all(&all)?;
    let mut current = EXERCISES.iter().position(|e| !statuses[e.name].passed());
    let mut status = current.map(|i| statuses[EXERCISES[i].name].clone());
    loop {
        let Some(i) = current else {
            println!("\n{} Every exercise passes.", paint("32", "All done!"));
            return Ok(());
        };
        let e = &EXERCISES[i];
        println!("\n{}", "─".repeat(60));
        show_current(e, status.as_ref().expect("status of the current exercise"));
        println!("\nWatching for saves... (q + Enter: quit, h + Enter: hint, Enter: check again)");
        let seen = newest_change();
        // Wait for a save or a command, polling modification times: this
        // works on every file system and editor (file-notify often does not).
        loop {
            match typed.recv_timeout(Duration::from_millis(500)) {
                Ok(cmd) if cmd == "q" => return Ok(()),
                Ok(cmd) if cmd == "h" => {
                    crate::hint(e)?;
                    continue;
                }
                Ok(_) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if newest_change() != seen {
                        break;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    if newest_change() != seen {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
            }
        }
        let now = check_all(&[e])?
            .remove(e.name)
            .expect("a status for the exercise checked");
        if now.passed() {
            println!("\n{} {} passes!", paint("32", "✓"), e.name);
            // Move on to the next exercise not yet done (checking each for real).
            let rest: Vec<&Exercise> = EXERCISES[i + 1..].iter().collect();
            let later = if rest.is_empty() {
                BTreeMap::new()
            } else {
                check_all(&rest)?
            };
            current = EXERCISES[i + 1..]
                .iter()
                .position(|e| !later[e.name].passed())
                .map(|j| i + 1 + j);
            status = current.map(|j| later[EXERCISES[j].name].clone());
        } else {
            status = Some(now);
        }
    }
}
