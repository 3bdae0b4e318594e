//! The demo's claims, in one test binary: the binary as a student runs it
//! (`cli`, and in Chinese, `lang`) and the lesson's claims with real threads
//! and processes (`library`). cargo runs test binaries one after another, the
//! tests inside one side by side. `ctrlc_child` stays a binary of its own: a
//! process can install the ctrlc handler only once.

mod cli;
mod lang;
mod library;
