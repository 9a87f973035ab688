//! `cargo xtask book check`: a cheap link and include checker for the four
//! variants (mdBook 0.5 checks no links, and the linkcheck plugin costs ~10
//! minutes to install). It reports every problem, then fails.
//!
//! Checked:
//! - the four `SUMMARY.md` files list the same page files in the same order;
//! - every listed page exists, and every `.md` file of a variant is listed;
//! - every relative link `[..](x.md#frag)`, image `![..](path)`, reference
//!   definition `[id]: path` and HTML `src=`/`href=` target exists, stays
//!   inside its variant folder (otherwise it is not part of the built site)
//!   and, for a `.md` page, is listed in SUMMARY.md;
//! - every `{{#include}}`, `{{#rustdoc_include}}` and `{{#playground}}`
//!   target exists (nested includes of `.md` files too), its anchor exists as
//!   `ANCHOR: name` + `ANCHOR_END: name`, its line range is inside the file;
//! - [`REQUIRED_INCLUDES`]: files that given pages must include in every
//!   variant.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{Result, bail};

use crate::variants::{BOOK_DIR, VARIANTS, Variant};

/// A file (relative to `book/`) that a page must include in every variant.
pub struct RequiredInclude {
    /// The page, relative to `book/<variant>/`.
    pub page: &'static str,
    /// The included file, relative to `book/`.
    pub file: &'static str,
    /// Why, for the error message.
    pub why: &'static str,
}

/// Edit this list to require more includes.
pub const REQUIRED_INCLUDES: &[RequiredInclude] = &[
    RequiredInclude {
        page: "rust-implementation.md",
        file: "generated/bench_streaming.md",
        why: "the benchmark results written by `cargo xtask bench`",
    },
    RequiredInclude {
        page: "llm-representation-learning.md",
        file: "generated/bench_minilm.md",
        why: "the sentence-model speeds written by `cargo xtask bench minilm`",
    },
    RequiredInclude {
        page: "time-series-embedding.md",
        file: "generated/bench_autoencoder.md",
        why: "the autoencoder's epoch time against the seed's PyTorch, written by `cargo xtask bench autoencoder`",
    },
    RequiredInclude {
        page: "benchmarks.md",
        file: "generated/nab_scoreboard.md",
        why: "the NAB scoreboard written by `cargo xtask nab`",
    },
    RequiredInclude {
        page: "benchmarks.md",
        file: "generated/nab_forecaster.md",
        why: "the forecaster's NAB subset table written by `cargo xtask nab`",
    },
    RequiredInclude {
        page: "benchmarks.md",
        file: "generated/bench_nab.md",
        why: "the NAB corpus scoring speed written by `cargo xtask bench nab_scoring`",
    },
    RequiredInclude {
        page: "zero-shot-detection.md",
        file: "generated/llm_zero_shot.md",
        why: "the zero-shot scores measured by `cargo xtask llm-eval`",
    },
    RequiredInclude {
        page: "zero-shot-detection.md",
        file: "generated/bench_smollm2.md",
        why: "the local language model's speeds written by `cargo xtask bench smollm2`",
    },
    RequiredInclude {
        page: "zero-shot-detection.md",
        file: "generated/zero_shot_detection.txt",
        why: "the zero-shot example's output written by `cargo xtask llm-eval`",
    },
];

/// The folder name that holds the shared figures (a symlink in each variant).
const FIGURES_LINK: &str = "figures";

/// How deep nested `.md` includes are followed (mdBook stops at 10 too).
const MAX_INCLUDE_DEPTH: usize = 10;

pub fn run() -> Result<()> {
    let mut problems = Problems::default();
    let mut reference: Option<(&Variant, Vec<String>)> = None;
    let mut pages_checked = 0usize;

    for variant in VARIANTS {
        let src = variant.src_dir();
        let summary_path = src.join("SUMMARY.md");
        let Ok(summary) = fs::read_to_string(&summary_path) else {
            problems.add(format!("{}: missing or unreadable", summary_path.display()));
            continue;
        };
        let pages = summary_pages(&summary);

        // (a) same pages, same order.
        match &reference {
            None => reference = Some((variant, pages.clone())),
            Some((first, first_pages)) if *first_pages != pages => {
                problems.add(format!(
                    "{} and {} list different pages (they must list the same files in the same order)\n      {}: {}\n      {}: {}",
                    first.src_dir().join("SUMMARY.md").display(),
                    summary_path.display(),
                    first.id,
                    first_pages.join(", "),
                    variant.id,
                    pages.join(", "),
                ));
            }
            Some(_) => {}
        }

        // (b) listed pages exist; every page is listed.
        let listed: BTreeSet<PathBuf> = pages.iter().map(|p| normalize(&src.join(p))).collect();
        for page in &pages {
            if !src.join(page).is_file() {
                problems.add(format!("{}: lists `{page}`, which does not exist", summary_path.display()));
            }
        }
        for file in markdown_files(&src) {
            if file.file_name().is_some_and(|n| n == "SUMMARY.md") && file.parent() == Some(&src) {
                continue;
            }
            if !listed.contains(&normalize(&file)) {
                problems.add(format!("{}: not listed in {}", file.display(), summary_path.display()));
            }
        }
        if !src.join(FIGURES_LINK).is_dir() {
            problems
                .add(format!("{}: missing (it should be a symlink to ../figures)", src.join(FIGURES_LINK).display()));
        }

        // (c), (d) and the required includes.
        for page in &pages {
            let path = src.join(page);
            let Ok(text) = fs::read_to_string(&path) else {
                continue;
            };
            pages_checked += 1;
            check_links(&path, &text, &src, &listed, &mut problems);
            let mut included = BTreeSet::new();
            check_includes(&path, &text, 0, &mut included, &mut problems);
            for required in REQUIRED_INCLUDES.iter().filter(|r| Path::new(page) == Path::new(r.page)) {
                let wanted = normalize(&Path::new(BOOK_DIR).join(required.file));
                if !included.contains(&wanted) {
                    problems.add(format!(
                        "{}: must include `{}` ({}), e.g. {{{{#include {}}}}}",
                        path.display(),
                        wanted.display(),
                        required.why,
                        relative_from(&path, &wanted).display()
                    ));
                }
            }
        }
        for required in REQUIRED_INCLUDES {
            if !pages.iter().any(|p| Path::new(p) == Path::new(required.page)) {
                problems.add(format!(
                    "{}: `{}` is not listed, but it must include `{}`",
                    summary_path.display(),
                    required.page,
                    required.file
                ));
            }
        }
    }

    if problems.list.is_empty() {
        println!("book check: OK ({} variants, {pages_checked} pages)", VARIANTS.len());
        return Ok(());
    }
    for problem in &problems.list {
        eprintln!("  - {problem}");
    }
    bail!("book check found {} problem(s)", problems.list.len());
}

#[derive(Default)]
struct Problems {
    list: Vec<String>,
}

impl Problems {
    fn add(&mut self, problem: String) {
        self.list.push(problem);
    }
}

/// The page files of a SUMMARY.md, in order (draft chapters `[x]()` skipped).
fn summary_pages(summary: &str) -> Vec<String> {
    let mut pages = Vec::new();
    for line in without_code(summary) {
        for link in inline_links(&line.text) {
            let target = strip_fragment(&link.target);
            if !target.is_empty() {
                pages.push(percent_decode(target));
            }
        }
    }
    pages
}

/// Every `.md` file under `dir`, not following symlinks (the `figures` link).
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() && path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

// ---------------------------------------------------------------- links ----

fn check_links(page: &Path, text: &str, src: &Path, listed: &BTreeSet<PathBuf>, problems: &mut Problems) {
    let dir = page.parent().unwrap_or(Path::new("."));
    let variant_root = normalize(src);
    for line in without_code(text) {
        let mut targets: Vec<(String, &str)> =
            inline_links(&line.text).into_iter().map(|l| (l.target, if l.image { "image" } else { "link" })).collect();
        if let Some(target) = reference_definition(&line.text) {
            targets.push((target, "link"));
        }
        for target in html_targets(&line.text) {
            targets.push((target, "HTML link"));
        }

        for (raw, kind) in targets {
            if is_external(&raw) {
                continue;
            }
            let target = percent_decode(strip_fragment(&raw));
            if target.is_empty() {
                continue;
            }
            let where_ = format!("{}:{}", page.display(), line.number);
            let resolved = normalize(&dir.join(&target));
            if !resolved.starts_with(&variant_root) {
                problems.add(format!(
                    "{where_}: {kind} `{raw}` points outside {} and will be missing from the built site",
                    src.display()
                ));
                continue;
            }
            let exists = resolved.exists() || (target.ends_with(".html") && resolved.with_extension("md").is_file());
            if !exists {
                problems.add(format!("{where_}: broken {kind} `{raw}` ({} does not exist)", resolved.display()));
                continue;
            }
            let page_target = if target.ends_with(".html") { resolved.with_extension("md") } else { resolved.clone() };
            if page_target.extension().is_some_and(|e| e == "md") && !listed.contains(&page_target) {
                problems.add(format!(
                    "{where_}: {kind} `{raw}` goes to a page that is not in SUMMARY.md (it would not be rendered)"
                ));
            }
        }
    }
}

struct Line {
    number: usize,
    text: String,
}

/// The lines outside fenced code blocks, with inline code spans blanked.
fn without_code(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for (index, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        if let Some(c) = marker {
            let run = trimmed.chars().take_while(|x| *x == c).count();
            if run >= 3 {
                match fence {
                    None => {
                        fence = Some((c, run));
                        continue;
                    }
                    Some((open, len)) if open == c && run >= len && trimmed[run..].trim().is_empty() => {
                        fence = None;
                        continue;
                    }
                    Some(_) => {}
                }
            }
        }
        if fence.is_none() {
            lines.push(Line { number: index + 1, text: blank_code_spans(raw) });
        }
    }
    lines
}

/// Replaces the content of `code spans` with spaces.
fn blank_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|c| **c == '`').count();
        // Find a closing run of exactly the same length.
        let mut j = i + run;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let other = chars[j..].iter().take_while(|c| **c == '`').count();
                if other == run {
                    close = Some(j);
                    break;
                }
                j += other;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                out.extend(std::iter::repeat_n(' ', end + run - i));
                i = end + run;
            }
            None => {
                out.extend(&chars[i..i + run]);
                i += run;
            }
        }
    }
    out
}

struct InlineLink {
    target: String,
    image: bool,
}

/// `[text](target "title")` and `![alt](target)` on one line.
fn inline_links(line: &str) -> Vec<InlineLink> {
    let bytes = line.as_bytes();
    let mut links = Vec::new();
    let mut search = 0;
    while let Some(offset) = line[search..].find("](") {
        let close = search + offset; // index of ']'
        let open_paren = close + 1;
        search = open_paren + 1;
        let Some(open) = matching_open_bracket(bytes, close) else {
            continue;
        };
        let image = open > 0 && bytes[open - 1] == b'!';
        let rest = &line[open_paren + 1..];
        let rest = rest.trim_start();
        let target = if let Some(stripped) = rest.strip_prefix('<') {
            stripped.split('>').next().unwrap_or("").to_string()
        } else {
            let mut depth = 0i32;
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' if depth == 0 => {
                        end = i;
                        break;
                    }
                    ')' => depth -= 1,
                    c if c.is_whitespace() => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            rest[..end].to_string()
        };
        links.push(InlineLink { target, image });
    }
    links
}

/// The `[` that opens the bracket closed at `close`.
fn matching_open_bracket(bytes: &[u8], close: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = close;
    while i > 0 {
        i -= 1;
        match bytes[i] {
            b']' if i == 0 || bytes[i - 1] != b'\\' => depth += 1,
            b'[' if i == 0 || bytes[i - 1] != b'\\' => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// `[label]: target` (a reference-style link definition).
fn reference_definition(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    if line.len() - trimmed.len() > 3 || !trimmed.starts_with('[') || trimmed.starts_with("[^") {
        return None;
    }
    let end = trimmed.find("]:")?;
    let target = trimmed[end + 2..].split_whitespace().next()?;
    Some(target.trim_start_matches('<').trim_end_matches('>').to_string())
}

/// `src="..."` and `href="..."` attributes of inline HTML.
fn html_targets(line: &str) -> Vec<String> {
    let mut targets = Vec::new();
    if !line.contains('<') {
        return targets;
    }
    for attribute in ["src=", "href="] {
        let mut search = 0;
        while let Some(offset) = line[search..].find(attribute) {
            let start = search + offset + attribute.len();
            search = start;
            let preceded_ok =
                search - attribute.len() == 0 || line[..search - attribute.len()].ends_with(char::is_whitespace);
            if !preceded_ok {
                continue;
            }
            let rest = &line[start..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(end) = rest[1..].find(quote) {
                targets.push(rest[1..1 + end].to_string());
            }
        }
    }
    targets
}

fn is_external(target: &str) -> bool {
    target.is_empty()
        || target.starts_with('#')
        || target.contains("://")
        || ["mailto:", "tel:", "data:", "javascript:"].iter().any(|scheme| target.starts_with(scheme))
}

fn strip_fragment(target: &str) -> &str {
    let end = target.find(['#', '?']).unwrap_or(target.len());
    &target[..end]
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ------------------------------------------------------------- includes ----

/// Checks the `{{#include ...}}`-style directives of `file` (code blocks
/// included: mdBook expands them there too) and records every included file
/// in `included` (normalized paths).
fn check_includes(file: &Path, text: &str, depth: usize, included: &mut BTreeSet<PathBuf>, problems: &mut Problems) {
    let dir = file.parent().unwrap_or(Path::new("."));
    for directive in include_directives(text) {
        let where_ = format!("{}:{}", file.display(), directive.line);
        let (path_part, selector) = match directive.spec.split_once(':') {
            Some((path, selector)) => (path, Some(selector)),
            None => (directive.spec.as_str(), None),
        };
        let target = normalize(&dir.join(path_part));
        let Ok(content) = fs::read_to_string(&target) else {
            problems.add(format!(
                "{where_}: {{{{#{} {}}}}}: {} does not exist",
                directive.kind,
                directive.spec,
                target.display()
            ));
            continue;
        };
        included.insert(target.clone());

        match selector.map(str::trim).filter(|s| !s.is_empty()) {
            None => {}
            Some(range) if range.chars().all(|c| c.is_ascii_digit() || c == ':') => {
                check_line_range(&where_, range, &target, &content, problems);
            }
            Some(anchor) => {
                let (starts, ends) = anchors(&content);
                for (marker, found) in [("ANCHOR", &starts), ("ANCHOR_END", &ends)] {
                    if !found.contains(anchor) {
                        problems.add(format!(
                            "{where_}: anchor `{anchor}`: {} has no `{marker}: {anchor}`",
                            target.display()
                        ));
                    }
                }
            }
        }

        if target.extension().is_some_and(|e| e == "md") {
            if depth >= MAX_INCLUDE_DEPTH {
                problems.add(format!("{where_}: includes nest deeper than {MAX_INCLUDE_DEPTH} levels"));
            } else {
                check_includes(&target, &content, depth + 1, included, problems);
            }
        }
    }
}

struct Directive {
    kind: String,
    spec: String,
    line: usize,
}

fn include_directives(text: &str) -> Vec<Directive> {
    const KINDS: [&str; 3] = ["include", "rustdoc_include", "playground"];
    let mut found = Vec::new();
    let mut search = 0;
    while let Some(offset) = text[search..].find("{{#") {
        let start = search + offset;
        search = start + 3;
        if start > 0 && text.as_bytes()[start - 1] == b'\\' {
            continue; // escaped: `\{{#include ...}}` is shown literally
        }
        let Some(end) = text[start..].find("}}") else {
            continue;
        };
        let body = &text[start + 3..start + end];
        let mut words = body.split_whitespace();
        let (Some(kind), Some(spec)) = (words.next(), words.next()) else {
            continue;
        };
        if !KINDS.contains(&kind) {
            continue;
        }
        found.push(Directive {
            kind: kind.to_string(),
            spec: spec.to_string(),
            line: text[..start].matches('\n').count() + 1,
        });
    }
    found
}

fn check_line_range(where_: &str, range: &str, target: &Path, content: &str, problems: &mut Problems) {
    let lines = content.lines().count();
    let mut parts = range.splitn(2, ':');
    let parse = |s: Option<&str>| s.filter(|s| !s.is_empty()).and_then(|s| s.parse::<usize>().ok());
    let start = parse(parts.next());
    let end = parse(parts.next());
    if let Some(start) = start
        && (start == 0 || start > lines)
    {
        problems.add(format!("{where_}: line range `{range}` starts outside {} ({lines} lines)", target.display()));
    }
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        problems.add(format!("{where_}: line range `{range}` ends before it starts"));
    }
}

/// Anchor names after `ANCHOR:` and `ANCHOR_END:` (mdBook's `[\w_-]+`).
fn anchors(content: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let collect = |marker: &str| {
        let mut names = BTreeSet::new();
        let mut search = 0;
        while let Some(offset) = content[search..].find(marker) {
            let start = search + offset + marker.len();
            search = start;
            let name: String = content[start..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
        names
    };
    (collect("ANCHOR:"), collect("ANCHOR_END:"))
}

// ---------------------------------------------------------------- paths ----

/// Removes `.` and resolves `..` lexically (no file system access, so
/// symlinks such as `figures` stay as written).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `to`, written relative to the folder of `from` (both relative to the root).
fn relative_from(from: &Path, to: &Path) -> PathBuf {
    let from_dir: Vec<_> =
        normalize(from.parent().unwrap_or(Path::new(""))).components().map(|c| c.as_os_str().to_owned()).collect();
    let to: Vec<_> = normalize(to).components().map(|c| c.as_os_str().to_owned()).collect();
    let common = from_dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from_dir.len() {
        out.push("..");
    }
    for part in &to[common..] {
        out.push(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_and_images() {
        let links = inline_links("See [a](a.md#x), ![fig](figures/f.svg \"t\") and [b](<b c.md>).");
        let found: Vec<_> = links.iter().map(|l| (l.target.as_str(), l.image)).collect();
        assert_eq!(found, [("a.md#x", false), ("figures/f.svg", true), ("b c.md", false)]);
    }

    #[test]
    fn nested_image_link() {
        let links = inline_links("[![alt](img.svg)](page.md)");
        let found: Vec<_> = links.iter().map(|l| (l.target.as_str(), l.image)).collect();
        assert_eq!(found, [("img.svg", true), ("page.md", false)]);
    }

    #[test]
    fn skips_code() {
        let lines = without_code("a `[x](no.md)` b\n```rust\nlet v = a[0](1);\n```\n[y](yes.md)\n");
        let targets: Vec<_> = lines.iter().flat_map(|l| inline_links(&l.text)).map(|l| l.target).collect();
        assert_eq!(targets, ["yes.md"]);
    }

    #[test]
    fn parses_includes() {
        let text = "x\n```rust\n{{#include ../../examples/a.rs:main}}\n```\n\\{{#include skip.md}}\n{{#rustdoc_include b.rs:3:9}}\n";
        let found: Vec<_> = include_directives(text).into_iter().map(|d| (d.kind, d.spec, d.line)).collect();
        assert_eq!(
            found,
            [
                ("include".to_string(), "../../examples/a.rs:main".to_string(), 3),
                ("rustdoc_include".to_string(), "b.rs:3:9".to_string(), 6),
            ]
        );
    }

    #[test]
    fn finds_anchors() {
        let (starts, ends) = anchors("// ANCHOR: main\nfn main() {}\n// ANCHOR_END: main\n// ANCHOR: other\n");
        assert!(starts.contains("main") && starts.contains("other"));
        assert!(ends.contains("main") && !ends.contains("other"));
    }

    #[test]
    fn summary_lists_pages() {
        let summary = "# Summary\n\n[Intro](intro.md)\n\n- [A](a.md)\n  - [B](sub/b%20c.md)\n- [Draft]()\n";
        assert_eq!(summary_pages(summary), ["intro.md", "a.md", "sub/b c.md"]);
    }

    #[test]
    fn paths() {
        assert_eq!(normalize(Path::new("book/en/../generated/x.md")), PathBuf::from("book/generated/x.md"));
        assert_eq!(
            relative_from(Path::new("book/en/rust-implementation.md"), Path::new("book/generated/bench_streaming.md")),
            PathBuf::from("../generated/bench_streaming.md")
        );
    }
}
