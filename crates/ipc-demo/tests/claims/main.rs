//! The demo's claims, in one test binary: the binary as a student runs it
//! (`cli`, and in Chinese, `lang`) and the lesson's claims on real processes
//! (`ipc`). cargo runs test binaries one after another, the tests inside one
//! side by side.

mod cli;
mod ipc;
mod lang;
