//! `cargo xtask install-tools`: the external tools the book needs.

use std::process::Command;

use anyhow::Result;

use crate::process;

pub const MDBOOK_VERSION: &str = "0.5.4";

pub fn install() -> Result<()> {
    if let Some(found) = mdbook_version()
        && found.split_whitespace().any(|word| word.trim_start_matches('v') == MDBOOK_VERSION)
    {
        println!("install-tools: {found} is installed");
        return Ok(());
    }
    // `--debug`: an unoptimised mdbook builds much faster, and the
    // book's build and tests spend their time in rustdoc, not in mdbook.
    println!("install-tools: installing mdbook {MDBOOK_VERSION} (debug build)");
    process::run(process::cargo().args(["install", "mdbook", "--locked", "--debug", "--version", MDBOOK_VERSION]))
}

/// `mdbook --version`, e.g. `mdbook v0.5.4`, when mdbook runs.
fn mdbook_version() -> Option<String> {
    let mut cmd: Command = process::mdbook();
    let output = cmd.arg("--version").output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}
