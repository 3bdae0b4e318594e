//! The course runner's machinery, used by `cargo run -p course` and by the
//! test that proves every exercise both ways.
//!
//! * [`catalog`]: the exercises in course order, with their shipped text.
//! * [`runner`]: compile and test exercises for real; trim the output.
//! * [`verify`]: every exercise fails untouched and passes solved.

pub mod catalog;
pub mod runner;
pub mod verify;
