//! `cargo xtask book build`: the four variants plus a landing page.
//!
//! Site layout: `target/book/index.html` (landing page) and
//! `target/book/<variant>/...`. Never build into `book/`: with the sources
//! under `book/`, mdBook's default build dir would delete them (book.toml
//! sets `build.build-dir` under target/, and we always pass `-d`).

use std::fs;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::process;
use crate::search_ru;
use crate::variants::{self, BOOK_DIR, VARIANTS, Variant};

/// Shared figures, written by the examples. Every variant links to them as
/// `figures/NAME.svg` through the committed symlink `book/<variant>/figures`.
pub const FIGURES_DIR: &str = "book/figures";

pub fn build_all() -> Result<()> {
    for variant in VARIANTS {
        build(variant)?;
    }
    write_landing_page()?;
    println!("book: built {} variants; open {}", VARIANTS.len(), variants::site_dir().join("index.html").display());
    Ok(())
}

pub fn build(variant: &Variant) -> Result<()> {
    let started = Instant::now();
    let out_dir = variant.out_dir();
    let mut cmd = process::mdbook();
    cmd.arg("build").arg(".").arg("-d").arg(&out_dir);
    variant.configure(&mut cmd);
    process::run_mdbook(&mut cmd).with_context(|| format!("building the `{}` variant of the book", variant.id))?;
    ensure_figures(&out_dir)?;
    if variant.language == "ru" {
        // mdBook's search index holds no Russian word; see search_ru.rs.
        search_ru::rebuild(&out_dir)?;
    }
    println!("book: `{}` built into {} in {:.1} s", variant.id, out_dir.display(), started.elapsed().as_secs_f64());
    Ok(())
}

/// mdBook copies `book/<variant>/figures` (a symlink to `../figures`) into
/// the output like a folder. Where the symlink is missing (a checkout without
/// symlink support turns it into a small text file), copy the figures here so
/// the pages still find them.
fn ensure_figures(out_dir: &Path) -> Result<()> {
    let source = Path::new(FIGURES_DIR);
    if !source.is_dir() {
        return Ok(());
    }
    let target = out_dir.join("figures");
    if target.exists() && !target.is_dir() {
        fs::remove_file(&target).with_context(|| format!("removing {}", target.display()))?;
    }
    let mut copied = 0usize;
    for entry in fs::read_dir(source).with_context(|| format!("reading {}", source.display()))? {
        let entry = entry?;
        let path = entry.path();
        // mdBook does not copy .md files (README.md here), and neither do we.
        if !path.is_file() || path.extension().is_some_and(|ext| ext == "md") {
            continue;
        }
        let dest = target.join(entry.file_name());
        if dest.is_file() {
            continue;
        }
        fs::create_dir_all(&target).with_context(|| format!("creating {}", target.display()))?;
        fs::copy(&path, &dest).with_context(|| format!("copying {} to {}", path.display(), dest.display()))?;
        copied += 1;
    }
    if copied > 0 {
        println!(
            "book: copied {copied} figure(s) into {} (the `figures` symlink of {BOOK_DIR}/<variant> is missing)",
            target.display()
        );
    }
    Ok(())
}

fn write_landing_page() -> Result<()> {
    let mut items = String::new();
    for variant in VARIANTS {
        items.push_str(&format!(
            "      <li><a href=\"{id}/index.html\" lang=\"{lang}\" hreflang=\"{lang}\"><span class=\"label\">{label}</span><span class=\"title\">{title}</span></a></li>\n",
            id = variant.id,
            lang = variant.language,
            label = html_escape(variant.label),
            title = html_escape(variant.title),
        ));
    }
    let page = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>LLM Anomaly Detection in Financial Markets / Обнаружение аномалий с помощью LLM на финансовых рынках</title>
  <style>
    :root {{ color-scheme: light dark; }}
    body {{ font-family: "Open Sans", system-ui, sans-serif; max-width: 44rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }}
    h1 {{ font-weight: 400; font-size: 1.7rem; margin-bottom: 0.2rem; }}
    h1 + p {{ margin-top: 0; opacity: 0.75; }}
    ul {{ list-style: none; padding: 0; }}
    li a {{ display: block; padding: 0.8rem 1rem; margin: 0.6rem 0; border: 1px solid rgba(127, 127, 127, 0.4); border-radius: 6px; text-decoration: none; color: inherit; }}
    li a:hover, li a:focus {{ border-color: #4183c4; }}
    .label {{ display: block; font-weight: 600; }}
    .title {{ display: block; opacity: 0.8; }}
  </style>
</head>
<body>
  <main>
    <h1>LLM Anomaly Detection in Financial Markets</h1>
    <p lang="ru">Обнаружение аномалий с помощью LLM на финансовых рынках</p>
    <p>Choose a language and edition. <span lang="ru">Выберите язык и вариант книги.</span></p>
    <ul>
{items}    </ul>
  </main>
</body>
</html>
"#
    );
    let path = variants::site_dir().join("index.html");
    fs::create_dir_all(variants::site_dir())?;
    fs::write(&path, page).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
