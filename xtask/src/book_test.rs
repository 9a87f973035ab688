//! `cargo xtask book test`: compile and run the book's listings with
//! `mdbook test` against exactly one fresh build of the library.
//!
//! `mdbook test` runs rustdoc per chapter with only `-L` search paths. Pointing
//! it at `target/debug/deps` breaks with E0464 ("multiple candidates") as soon
//! as that folder holds two builds of a crate (other features, clippy/doc
//! runs, xtask's own deps). Instead (GUIDE §3):
//! 1. `cargo test --no-run --message-format=json -p llm-anomaly` builds the
//!    library, its dependencies and dev-dependencies (examples and
//!    integration tests too, as `cargo test` does, so the build is shared with
//!    `cargo test --workspace`);
//! 2. the `.rlib`/`.so` files named by that build's `compiler-artifact`
//!    messages are hard-linked (or copied) into a fresh `target/mdbook-deps`;
//! 3. each variant runs `mdbook test . -L target/mdbook-deps`, with
//!    `RUSTUP_TOOLCHAIN` set, because rustdoc runs from a temporary dir where
//!    a rust-toolchain file would not apply (E0514 otherwise).

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::process;
use crate::variants::{VARIANTS, Variant};

/// The package whose build the listings link against.
const PACKAGE: &str = "llm-anomaly";

#[derive(Default)]
pub struct Options {
    variants: Vec<&'static Variant>,
    chapter: Option<String>,
}

impl Options {
    pub fn parse(args: &[&str]) -> Result<Self> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match *arg {
                "--variant" => {
                    let id = args.next().context("--variant needs a value")?;
                    let variant = Variant::find(id)
                        .with_context(|| format!("unknown variant `{id}` (en, ru, en-simple, ru-simple)"))?;
                    options.variants.push(variant);
                }
                "--chapter" | "-c" => {
                    let chapter = args.next().context("--chapter needs a value")?;
                    options.chapter = Some(chapter.to_string());
                }
                other => {
                    bail!("unknown argument `{other}`; usage: cargo xtask book test [--variant V]... [--chapter NAME]")
                }
            }
        }
        if options.variants.is_empty() {
            options.variants = VARIANTS.iter().collect();
        }
        Ok(options)
    }
}

pub fn run(options: &Options) -> Result<()> {
    // Absolute: rustdoc runs the doctests from a temporary directory.
    let deps_dir = std::env::current_dir()?.join(process::target_dir().join("mdbook-deps"));
    let artifacts = build_artifacts()?;
    let linked = link_into(&artifacts, &deps_dir)?;
    println!("book test: {linked} library artifacts linked into {}", deps_dir.display());

    let toolchain = process::active_toolchain();
    match &toolchain {
        Some(name) => println!("book test: RUSTUP_TOOLCHAIN={name}"),
        None => println!("book test: rustup not found; rustdoc from PATH is used as it is"),
    }

    for variant in &options.variants {
        let started = Instant::now();
        let mut cmd = process::mdbook();
        cmd.arg("test").arg(".").arg("-L").arg(&deps_dir);
        if let Some(chapter) = &options.chapter {
            cmd.arg("--chapter").arg(chapter);
        }
        variant.configure(&mut cmd);
        if let Some(name) = &toolchain {
            cmd.env("RUSTUP_TOOLCHAIN", name);
        }
        process::run_mdbook(&mut cmd)
            .with_context(|| format!("testing the listings of the `{}` variant", variant.id))?;
        println!("book test: `{}` passed in {:.1} s", variant.id, started.elapsed().as_secs_f64());
    }
    Ok(())
}

/// Builds the package's tests and returns the library files of that build.
fn build_artifacts() -> Result<Vec<PathBuf>> {
    let mut cmd = process::cargo();
    cmd.args(["test", "--no-run", "--message-format=json-render-diagnostics", "-p", PACKAGE]);
    let line = process::describe(&cmd);
    println!("$ {line}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot start `{line}`"))?;
    let stdout = child.stdout.take().expect("piped stdout");

    let mut files = BTreeSet::new();
    for message in BufReader::new(stdout).lines() {
        let message = message.with_context(|| format!("reading the output of `{line}`"))?;
        let Ok(json) = serde_json::from_str::<Value>(&message) else {
            continue;
        };
        if json["reason"] != "compiler-artifact" {
            continue;
        }
        let Some(filenames) = json["filenames"].as_array() else {
            continue;
        };
        for name in filenames.iter().filter_map(Value::as_str) {
            if name.ends_with(".rlib") || name.ends_with(".so") {
                files.insert(PathBuf::from(name));
            }
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    if files.is_empty() {
        bail!("`{line}` reported no .rlib/.so artifacts");
    }
    Ok(files.into_iter().collect())
}

/// Recreates `dir` with a hard link (or a copy) of every file.
fn link_into(files: &[PathBuf], dir: &Path) -> Result<usize> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for file in files {
        let name = file.file_name().with_context(|| format!("artifact without a file name: {}", file.display()))?;
        let dest = dir.join(name);
        if fs::hard_link(file, &dest).is_err() {
            fs::copy(file, &dest).with_context(|| format!("copying {} to {}", file.display(), dest.display()))?;
        }
    }
    Ok(files.len())
}
