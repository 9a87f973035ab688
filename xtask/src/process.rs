//! Running other programs: cargo, mdbook, git, rustup.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;

use anyhow::{Context, Result, bail};

/// The workspace root (the parent of this crate's manifest dir).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// cargo's target dir, honouring CARGO_TARGET_DIR.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// The cargo that runs us (`$CARGO`), so nested builds use the same toolchain.
///
/// `cargo run` gives xtask variables describing xtask itself (`CARGO_PKG_*`,
/// `CARGO_MANIFEST_DIR`, ...). Some dependencies' build scripts watch such
/// variables (`rerun-if-env-changed`), so passing them on would rebuild
/// polars and friends whenever a developer alternates between `cargo xtask`
/// and plain `cargo`. They are removed here.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo")));
    strip_run_only_variables(&mut cmd);
    cmd
}

/// Removes the variables of [`is_run_only_variable`] from `cmd`'s environment.
pub fn strip_run_only_variables(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(is_run_only_variable) {
            cmd.env_remove(&key);
        }
    }
}

/// Variables that `cargo run` sets for the program it runs (not for builds).
fn is_run_only_variable(key: &str) -> bool {
    key.starts_with("CARGO_PKG_")
        || matches!(
            key,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
                | "OUT_DIR"
        )
}

/// The mdbook binary (`$MDBOOK`, or `mdbook` on PATH).
pub fn mdbook() -> Command {
    Command::new(std::env::var_os("MDBOOK").unwrap_or_else(|| OsString::from("mdbook")))
}

/// A printable form of a command line.
pub fn describe(cmd: &Command) -> String {
    let program = cmd.get_program();
    let mut text = if std::env::var_os("CARGO").is_some_and(|cargo| cargo == program) {
        "cargo".to_string() // not the toolchain's full path
    } else {
        program.to_string_lossy().into_owned()
    };
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        text.push(' ');
        if arg.is_empty() || arg.contains(char::is_whitespace) {
            text.push_str(&format!("'{arg}'"));
        } else {
            text.push_str(&arg);
        }
    }
    text
}

/// Runs a command with inherited stdio; fails on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result<()> {
    let line = describe(cmd);
    println!("$ {line}");
    let status = cmd.status().with_context(|| format!("cannot start `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

/// Runs a command and returns its stdout; stderr passes through.
pub fn stdout_of(cmd: &mut Command) -> Result<String> {
    let line = describe(cmd);
    println!("$ {line}");
    let output = cmd.stderr(Stdio::inherit()).output().with_context(|| format!("cannot start `{line}`"))?;
    if !output.status.success() {
        bail!("`{line}` failed ({})", output.status);
    }
    String::from_utf8(output.stdout).with_context(|| format!("`{line}` printed non-UTF-8 output"))
}

/// Runs `cmd` and returns its stderr followed by its stdout (for outputs
/// whose notes on stderr belong on the page); fails if it fails.
pub fn stderr_and_stdout_of(cmd: &mut Command) -> Result<String> {
    let line = describe(cmd);
    println!("$ {line}");
    let output = cmd.output().with_context(|| format!("cannot start `{line}`"))?;
    if !output.status.success() {
        bail!("`{line}` failed ({}):\n{}", output.status, String::from_utf8_lossy(&output.stderr));
    }
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).with_context(|| format!("`{line}` printed non-UTF-8 output"));
    Ok(text(output.stderr)? + &text(output.stdout)?)
}

/// Runs an mdbook command, echoing its stdout and stderr as they come.
///
/// mdBook 0.5 reports some problems (an unknown key in book.toml, a missing
/// include) with an `ERROR` log line and still exits 0, so any line that
/// contains `ERROR` makes this fail too.
pub fn run_mdbook(cmd: &mut Command) -> Result<()> {
    let line = describe(cmd);
    println!("$ {line}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start `{line}` (is mdbook installed? run `cargo xtask install-tools`)"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let out_thread = thread::spawn(move || echo_lines(stdout, false));
    let err_thread = thread::spawn(move || echo_lines(stderr, true));
    let status = child.wait().with_context(|| format!("waiting for `{line}`"))?;
    let mut errors = out_thread.join().expect("stdout reader panicked");
    errors.extend(err_thread.join().expect("stderr reader panicked"));

    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    if !errors.is_empty() {
        bail!("`{line}` exited 0 but reported {} ERROR line(s):\n  {}", errors.len(), errors.join("\n  "));
    }
    Ok(())
}

/// Copies `source` line by line to our stdout or stderr and returns the
/// lines that contain `ERROR`.
fn echo_lines(source: impl Read, to_stderr: bool) -> Vec<String> {
    let mut reader = BufReader::new(source);
    let mut errors = Vec::new();
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        match reader.read_until(b'\n', &mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&buffer);
        let text = text.trim_end_matches(['\n', '\r']);
        if to_stderr {
            let _ = writeln!(std::io::stderr(), "{text}");
        } else {
            let _ = writeln!(std::io::stdout(), "{text}");
        }
        if text.contains("ERROR") {
            errors.push(text.to_string());
        }
    }
    errors
}

/// The active rustup toolchain name (e.g. `stable-x86_64-unknown-linux-gnu`):
/// `$RUSTUP_TOOLCHAIN` when set, else `rustup show active-toolchain`. `None`
/// without rustup.
pub fn active_toolchain() -> Option<String> {
    if let Some(name) = std::env::var_os("RUSTUP_TOOLCHAIN") {
        let name = name.to_string_lossy().trim().to_string();
        if !name.is_empty() {
            return Some(name);
        }
    }
    let output = Command::new("rustup").args(["show", "active-toolchain"]).stderr(Stdio::null()).output().ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8_lossy(&output.stdout).split_whitespace().next().map(str::to_string)
}
