//! `cargo xtask bench`: run the criterion benchmarks and write their results
//! pages (committed; the book includes them, and `book check` makes sure it
//! does):
//! - `book/generated/bench_streaming.md` from `benches/streaming.rs` (the
//!   streaming detector against the seed's);
//! - `book/generated/bench_csv.md` from `benches/csv_load.rs` (CSV to scores
//!   against polars' CSV reader with one thread), followed by the peak memory
//!   of example 01 on a 5 M-row file with and without `--stream`
//!   (`/usr/bin/time -v`, see [`crate::memory`]);
//! - `book/generated/bench_minilm.md` from `benches/minilm.rs` and PyTorch
//!   (see [`crate::bench_minilm`]);
//! - `book/generated/bench_smollm2.md` from `benches/smollm2.rs` and
//!   llama.cpp (see [`crate::bench_smollm2`]);
//! - `book/generated/bench_autoencoder.md` from `benches/autoencoder.rs`
//!   and the seed's PyTorch module (see [`crate::bench_autoencoder`]);
//! - `book/generated/bench_l2_book.md` from `benches/l2_book.rs` (order-book
//!   deltas applied per second);
//! - `book/generated/bench_manipulation.md` from `benches/manipulation.rs`
//!   (trades through the crypto manipulation detector per second);
//! - `book/generated/bench_monitor_tick.md` from `benches/monitor_tick.rs`
//!   (Bybit trade messages parsed, converted and scored per second);
//! - `book/generated/bench_nab.md` from `benches/nab_scoring.rs` (the whole
//!   NAB corpus scored with the EWMA detector; needs the corpus).
//!
//! Criterion 0.8 keeps, per benchmark, `target/criterion/<id>/new/`:
//! - `benchmark.json`: `group_id`, `function_id`, `value_str`, `full_id`,
//!   `throughput` (`{"Elements": n}`, `{"Bytes": n}`, ...
//!   `{"ElementsAndBytes": {"elements": n, "bytes": m}}`, or null);
//! - `estimates.json`: `mean`, `median`, `std_dev`, ... each with
//!   `point_estimate` and `confidence_interval` {`lower_bound`,
//!   `upper_bound`}, in nanoseconds per iteration.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::outputs::GENERATED_DIR;
use crate::process;

/// One criterion bench and the page written from it.
pub struct Suite {
    /// `cargo bench --bench <bench>`.
    pub bench: &'static str,
    /// Output file name under `book/generated/`.
    pub output: &'static str,
    /// Criterion groups to report.
    pub groups: &'static [&'static str],
    /// The baseline function in a group.
    pub baseline: &'static str,
    /// Functions compared with the baseline (by name prefix).
    pub compared: &'static [&'static str],
    /// What one criterion "element" is.
    pub element: &'static str,
    /// Cargo features the bench needs (`required-features` in Cargo.toml).
    pub features: &'static [&'static str],
}

/// The suites, in the order they run.
pub const SUITES: &[Suite] = &[
    Suite {
        bench: "streaming",
        output: "bench_streaming.md",
        groups: &["zscore_vs_seed", "monitor_600_symbols", "zscore_univariate"],
        baseline: "seed",
        compared: &["optimized"],
        element: "ticks",
        features: &[],
    },
    Suite {
        bench: "nab_scoring",
        output: "bench_nab.md",
        groups: &["nab_corpus"],
        baseline: "none",
        compared: &[],
        element: "rows",
        features: &[],
    },
    Suite {
        bench: "l2_book",
        output: "bench_l2_book.md",
        groups: &["l2_book"],
        baseline: "none",
        compared: &[],
        element: "deltas",
        features: &[],
    },
    Suite {
        bench: "manipulation",
        output: "bench_manipulation.md",
        groups: &["manipulation"],
        baseline: "none",
        compared: &[],
        element: "trades",
        features: &[],
    },
    Suite {
        bench: "monitor_tick",
        output: "bench_monitor_tick.md",
        groups: &["monitor"],
        baseline: "none",
        compared: &[],
        element: "trades",
        features: &["http"],
    },
    Suite {
        bench: "csv_load",
        output: "bench_csv.md",
        groups: &["csv_to_scores"],
        baseline: "polars_1_thread",
        compared: &["ours"],
        element: "rows",
        features: &["parquet"],
    },
];

/// Runs the benchmarks of `only` (all suites when empty) and writes their
/// pages. With `no_run`, writes them from the results criterion already has.
pub fn run(no_run: bool, only: &[&str]) -> Result<()> {
    for suite in SUITES.iter().filter(|s| only.is_empty() || only.contains(&s.bench)) {
        run_suite(suite, no_run)?;
    }
    if only.is_empty() || only.contains(&"minilm") {
        crate::bench_minilm::run(no_run)?;
    }
    if only.is_empty() || only.contains(&"smollm2") {
        crate::bench_smollm2::run(no_run)?;
    }
    if only.is_empty() || only.contains(&"autoencoder") {
        crate::bench_autoencoder::run(no_run)?;
    }
    Ok(())
}

/// Whether `taskset -c 0` runs here (it pins a 1-thread run to one core, so
/// that a thread pool cannot spread onto the second).
pub(crate) fn taskset_works() -> bool {
    Command::new("taskset").args(["-c", "0", "true"]).status().is_ok_and(|s| s.success())
}

/// The cargo that runs this xtask.
pub(crate) fn cargo_program() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// `program`, under `taskset -c 0` when `threads` is 1 and `pinned`, with
/// the variables of `cargo run` removed (see [`process::cargo`]).
pub(crate) fn on_threads(program: std::ffi::OsString, threads: u32, pinned: bool) -> Command {
    let mut command = if threads == 1 && pinned {
        let mut command = Command::new("taskset");
        command.args(["-c", "0"]).arg(program);
        command
    } else {
        Command::new(program)
    };
    process::strip_run_only_variables(&mut command);
    command
}

/// For the tests of a page's renderer: reads the committed
/// `book/generated/<output>`, checks that its table header is the one
/// `fresh` (the renderer's output on no data) has and that it says every
/// one of `needles`, and returns it.
#[cfg(test)]
pub(crate) fn committed_page(output: &str, fresh: &str, needles: &[&str]) -> String {
    let path = process::repo_root().join(GENERATED_DIR).join(output);
    let committed = fs::read_to_string(&path).unwrap_or_else(|e| panic!("the committed page {}: {e}", path.display()));
    let header = |page: &str| page.lines().filter(|l| l.starts_with('|')).take(2).collect::<Vec<_>>().join("\n");
    assert_eq!(header(&committed), header(fresh), "{} was not written by this renderer", path.display());
    for needle in needles {
        assert!(committed.contains(needle), "{} does not say `{needle}`", path.display());
    }
    committed
}

/// The lines every speed page ends with: CPU, date and commit, compiler,
/// and how the one-thread run was held to one thread (`one_thread`, e.g.
/// "`CANDLE_NUM_THREADS=1` / `n_threads=1`").
pub(crate) fn machine_lines(md: &mut String, pinned: bool, one_thread: &str) {
    let _ = writeln!(md, "- CPU: {} ({} logical CPUs)", cpu_model(), logical_cpus());
    let _ = writeln!(
        md,
        "- Date (UTC): {}; commit {} (`-dirty`: with uncommitted changes)",
        format_utc(SystemTime::now()),
        git_describe()
    );
    let _ = writeln!(md, "- Compiler: {}", rustc_version());
    let pin = if pinned { "pinned to one core with `taskset -c 0`" } else { "not pinned (no taskset)" };
    let _ = writeln!(md, "- 1 thread: {one_thread}, {pin}; 2 threads: unpinned");
}

fn run_suite(suite: &Suite, no_run: bool) -> Result<()> {
    let bench = suite.bench;
    let features = suite.features.join(",");
    let mut args = vec!["bench", "-p", "llm-anomaly-bench", "--bench", bench];
    if !features.is_empty() {
        args.extend(["--features", features.as_str()]);
    }
    let command = format!("cargo {} -- --noplot", args.join(" "));
    let started = if no_run {
        SystemTime::UNIX_EPOCH
    } else {
        let started = SystemTime::now();
        process::run(process::cargo().args(&args).args(["--", "--noplot"]))?;
        started
    };

    let criterion_dir = process::target_dir().join("criterion");
    if !criterion_dir.is_dir() {
        bail!("{} does not exist: `{command}` wrote no criterion results", criterion_dir.display());
    }
    let (mut results, stale) = read_results(&criterion_dir, started)?;
    if stale > 0 {
        println!("bench: skipped {stale} older result(s) in {} that this run did not update", criterion_dir.display());
    }
    results.retain(|r| suite.groups.contains(&r.group.as_str()));
    if results.is_empty() {
        bail!(
            "no fresh criterion results of {bench} under {} (expected */new/benchmark.json and estimates.json)",
            criterion_dir.display()
        );
    }
    results.sort_by(compare_results);

    let measured = results.iter().map(|r| r.measured).max().unwrap_or_else(SystemTime::now);
    let mut markdown = render(suite, &results, &command, measured);
    if bench == "csv_load" {
        markdown.push_str(&crate::memory::section()?);
    }
    let path = Path::new(GENERATED_DIR).join(suite.output);
    fs::create_dir_all(GENERATED_DIR)?;
    fs::write(&path, &markdown).with_context(|| format!("writing {}", path.display()))?;
    println!("{markdown}");
    println!("bench: wrote {} ({} benchmarks)", path.display(), results.len());
    Ok(())
}

pub(crate) struct BenchResult {
    pub(crate) id: String,
    pub(crate) group: String,
    pub(crate) function: Option<String>,
    pub(crate) value: Option<String>,
    /// Elements (ticks) per iteration, when the bench set a throughput.
    pub(crate) elements: Option<u64>,
    pub(crate) mean_ns: f64,
    pub(crate) lower_ns: f64,
    pub(crate) upper_ns: f64,
    /// When criterion wrote the estimates.
    pub(crate) measured: SystemTime,
}

impl BenchResult {
    /// Nanoseconds per tick when the throughput is known.
    fn ns_per_element(&self) -> Option<f64> {
        self.elements.filter(|n| *n > 0).map(|n| self.mean_ns / n as f64)
    }
}

/// Reads every `*/new/{benchmark,estimates}.json`; returns the results
/// written after `since` and how many older ones were skipped.
pub(crate) fn read_results(dir: &Path, since: SystemTime) -> Result<(Vec<BenchResult>, usize)> {
    let mut results = Vec::new();
    let mut stale = 0;
    for new_dir in find_new_dirs(dir) {
        let estimates_path = new_dir.join("estimates.json");
        let benchmark_path = new_dir.join("benchmark.json");
        if !estimates_path.is_file() || !benchmark_path.is_file() {
            continue;
        }
        let modified = fs::metadata(&estimates_path)?.modified()?;
        if modified < since {
            stale += 1;
            continue;
        }
        let benchmark = read_json(&benchmark_path)?;
        let estimates = read_json(&estimates_path)?;
        let mean = &estimates["mean"];
        let number = |value: &Value, what: &str| {
            value.as_f64().with_context(|| format!("{}: no {what}", estimates_path.display()))
        };
        let text = |key: &str| benchmark[key].as_str().map(str::to_string);
        results.push(BenchResult {
            id: text("full_id").unwrap_or_else(|| new_dir.display().to_string()),
            group: text("group_id").unwrap_or_default(),
            function: text("function_id"),
            value: text("value_str"),
            elements: elements(&benchmark["throughput"]),
            mean_ns: number(&mean["point_estimate"], "mean.point_estimate")?,
            lower_ns: number(&mean["confidence_interval"]["lower_bound"], "mean lower bound")?,
            upper_ns: number(&mean["confidence_interval"]["upper_bound"], "mean upper bound")?,
            measured: modified,
        });
    }
    Ok((results, stale))
}

fn elements(throughput: &Value) -> Option<u64> {
    throughput["Elements"].as_u64().or_else(|| throughput["ElementsAndBytes"]["elements"].as_u64())
}

fn find_new_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            if entry.file_name() == "new" {
                found.push(path);
            } else if entry.file_name() != "base" && entry.file_name() != "report" {
                stack.push(path);
            }
        }
    }
    found
}

fn read_json(path: &Path) -> Result<Value> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Group, then parameter (numbers in it compared as numbers), then function.
fn compare_results(a: &BenchResult, b: &BenchResult) -> Ordering {
    a.group
        .cmp(&b.group)
        .then_with(|| natural_key(a.value.as_deref()).cmp(&natural_key(b.value.as_deref())))
        .then_with(|| a.function.cmp(&b.function))
}

fn natural_key(text: Option<&str>) -> (u64, String) {
    let text = text.unwrap_or("");
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(0), text.to_string())
}

fn render(suite: &Suite, results: &[BenchResult], command: &str, when: SystemTime) -> String {
    let (element, baseline_function) = (suite.element, suite.baseline);
    let mut md = String::new();
    let _ = writeln!(md, "<!-- Generated by `cargo xtask bench`. Do not edit: run it again. -->\n");
    let _ = writeln!(
        md,
        "| Benchmark | Mean time / iteration | 95% CI of the mean | {element} / iteration | Throughput (M {element}/s) |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|");
    for r in results {
        let throughput = r.ns_per_element().map(|ns| format!("{:.2}", 1e3 / ns)).unwrap_or_else(|| "—".to_string());
        let _ = writeln!(
            md,
            "| `{}` | {} | {} – {} | {} | {} |",
            r.id,
            format_duration(r.mean_ns),
            format_duration(r.lower_ns),
            format_duration(r.upper_ns),
            r.elements.map(group_digits).unwrap_or_else(|| "—".to_string()),
            throughput
        );
    }

    let comparisons = comparisons(suite, results);
    if !comparisons.is_empty() {
        let _ = writeln!(
            md,
            "\nSpeed-up over the `{baseline_function}` baseline (time per {} when the throughput is known, else per iteration):\n",
            element.trim_end_matches('s')
        );
        let _ = writeln!(md, "| Group | Parameter | `{baseline_function}` | Compared | Compared time | Speed-up |");
        let _ = writeln!(md, "|---|---|---:|---|---:|---:|");
        for c in &comparisons {
            let _ = writeln!(
                md,
                "| `{}` | `{}` | {} | `{}` | {} | {:.1}× |",
                c.group, c.value, c.baseline_time, c.function, c.compared_time, c.ratio
            );
        }
    }

    let _ = writeln!(md, "\n- CPU: {} ({} logical CPUs)", cpu_model(), logical_cpus());
    let _ = writeln!(md, "- Date (UTC): {}", format_utc(when));
    let _ = writeln!(md, "- Compiler: {}", rustc_version());
    let _ = writeln!(md, "- Command: `{command}` (run by `cargo xtask bench`; criterion 0.8, release profile)");
    md
}

struct Comparison {
    group: String,
    value: String,
    function: String,
    baseline_time: String,
    compared_time: String,
    ratio: f64,
}

fn comparisons(suite: &Suite, results: &[BenchResult]) -> Vec<Comparison> {
    let (baseline_function, element) = (suite.baseline, suite.element);
    let mut out = Vec::new();
    for baseline in results.iter().filter(|r| r.function.as_deref() == Some(baseline_function)) {
        for other in results.iter().filter(|r| {
            r.group == baseline.group
                && r.value == baseline.value
                && r.function
                    .as_deref()
                    .is_some_and(|f| f != baseline_function && suite.compared.iter().any(|c| f.starts_with(c)))
        }) {
            let (base, compared, unit) = match (baseline.ns_per_element(), other.ns_per_element()) {
                (Some(b), Some(o)) => (b, o, format!("/{}", element.trim_end_matches('s'))),
                _ => (baseline.mean_ns, other.mean_ns, "/iter".to_string()),
            };
            if compared <= 0.0 {
                continue;
            }
            out.push(Comparison {
                group: baseline.group.clone(),
                value: baseline.value.clone().unwrap_or_default(),
                function: other.function.clone().unwrap_or_default(),
                baseline_time: format!("{}{unit}", format_duration(base)),
                compared_time: format!("{}{unit}", format_duration(compared)),
                ratio: base / compared,
            });
        }
    }
    out
}

fn format_duration(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let decimals = if value >= 100.0 {
        1
    } else if value >= 10.0 {
        2
    } else {
        3
    };
    format!("{value:.decimals$} {unit}")
}

/// `1 000 000` with narrow no-break spaces.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

pub(crate) fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| format!("unknown ({})", std::env::consts::ARCH))
}

pub(crate) fn logical_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub(crate) fn rustc_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown rustc".to_string())
}

/// `YYYY-MM-DD HH:MM` in UTC, without a date crate.
pub(crate) fn format_utc(time: SystemTime) -> String {
    let secs = time.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}", rem / 3600, (rem % 3600) / 60)
}

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// `git describe --always --dirty` of the working tree (`-dirty`: with
/// uncommitted changes), for the pages that record their commit.
pub fn git_describe() -> String {
    let mut cmd = std::process::Command::new("git");
    cmd.args(["describe", "--always", "--dirty"]);
    crate::process::stdout_of(&mut cmd).map(|s| s.trim().to_string()).unwrap_or_else(|_| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn result(function: &str, value: &str, elements: Option<u64>, mean_ns: f64) -> BenchResult {
        BenchResult {
            id: format!("zscore_vs_seed/{function}/{value}"),
            group: "zscore_vs_seed".into(),
            function: Some(function.into()),
            value: Some(value.into()),
            elements,
            mean_ns,
            lower_ns: mean_ns * 0.99,
            upper_ns: mean_ns * 1.01,
            measured: SystemTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn utc_dates() {
        assert_eq!(format_utc(SystemTime::UNIX_EPOCH), "1970-01-01 00:00");
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        assert_eq!(format_utc(t), "2026-11-18 11:06");
    }

    #[test]
    fn throughput_formats() {
        assert_eq!(elements(&serde_json::json!({"Elements": 1000})), Some(1000));
        assert_eq!(elements(&serde_json::json!({"ElementsAndBytes": {"elements": 7, "bytes": 9}})), Some(7));
        assert_eq!(elements(&serde_json::json!({"Bytes": 7})), None);
        assert_eq!(elements(&Value::Null), None);
    }

    #[test]
    fn ratio_uses_time_per_tick() {
        // Baseline on 1 M ticks, optimized on 10 M: compare per tick.
        let results =
            [result("optimized", "w1000", Some(10_000_000), 1e9), result("seed", "w1000", Some(1_000_000), 3e9)];
        let c = comparisons(&SUITES[0], &results);
        assert_eq!(c.len(), 1);
        assert!((c[0].ratio - 30.0).abs() < 1e-9);
        let md = render(&SUITES[0], &results, "cargo bench", SystemTime::UNIX_EPOCH);
        assert!(md.contains("| `zscore_vs_seed/seed/w1000` | 3.000 s |"));
        assert!(md.contains("30.0×"));
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(12.345), "12.35 ns");
        assert_eq!(format_duration(2_500_000.0), "2.500 ms");
        assert_eq!(group_digits(1_000_000), "1\u{202f}000\u{202f}000");
    }
}
