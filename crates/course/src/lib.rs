//! The course runner's machinery, used by `cargo run -p course` and by the
//! test that proves every exercise both ways.
//!
//! * [`catalog`]: the exercises in course order, with their shipped text.
//! * [`runner`]: compile and test exercises for real; trim the output.
//! * [`cache`]: remember verdicts while nothing they depend on changes.
//! * [`explain`]: what each failing check proves, from the exercise's doc lines.
//! * [`i18n`]: every message the runner prints, in English and Chinese.
//! * [`verify`]: every exercise fails untouched and passes solved.

pub mod cache;
pub mod catalog;
pub mod explain;
pub mod i18n;
pub mod runner;
pub mod verify;
