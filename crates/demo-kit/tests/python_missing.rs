//! Without python3, a comparison's Python side is skipped, not an error;
//! any other failure to start it is an error.
//!
//! One test in this file: it changes `PATH`, which the whole process shares.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::Duration;

#[test]
fn no_python3_is_none_and_an_unstartable_one_is_an_error() {
    let saved = std::env::var_os("PATH");
    let dir = std::env::temp_dir().join(format!(
        "demo-kit-nopython-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();

    // No python3 anywhere on PATH. Changing the environment is `unsafe`
    // (edition 2024) because another thread may read it at the same time;
    // this file's one test is the only thread of its process that does.
    unsafe { std::env::set_var("PATH", &dir) };
    let spawned = demo_kit::python::spawn("pass", &[], Stdio::null());
    let ran = demo_kit::python::run("pass", &[], Duration::from_secs(5));

    // A python3 that cannot be executed (not executable): EACCES.
    let fake = dir.join("python3");
    std::fs::write(&fake, "not a program").unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = demo_kit::python::spawn("pass", &[], Stdio::null());

    match saved {
        Some(p) => unsafe { std::env::set_var("PATH", p) },
        None => unsafe { std::env::remove_var("PATH") },
    }
    std::fs::remove_dir_all(&dir).unwrap();

    assert!(
        matches!(spawned, Ok(None)),
        "{:?}",
        spawned.map(|c| c.is_some())
    );
    assert!(matches!(ran, Ok(None)), "{ran:?}");
    let e = refused.map(|c| c.is_some()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "starting python3: Permission denied (os error 13)"
    );
}
