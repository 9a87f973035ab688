//! `cargo xtask bench minilm`: sentence-embedding speed, candle against
//! PyTorch, on the same CPU and the same 1 000 headlines, written to
//! `book/generated/bench_minilm.md` (committed; the text pages include it).
//!
//! 1. `benches/minilm.rs` (criterion) runs twice: with
//!    `CANDLE_NUM_THREADS=1` pinned to one core (`taskset -c 0`, so that
//!    candle's element-wise thread pool cannot use the second core), and
//!    with `CANDLE_NUM_THREADS=2` unpinned.
//! 2. `benches/minilm_pytorch.py` runs sentence-transformers on the same
//!    headlines with `torch.set_num_threads` 1 (pinned the same way) and 2,
//!    with the Python of `$LLM_ANOMALY_PYTHON` (default `python3`). Without
//!    sentence-transformers the page says PyTorch was not measured.
//! 3. The page gives sentences/s per encoder, thread count and batch size,
//!    and the ratios, with the CPU, the date, the commit and the commands.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::bench::{self, BenchResult};
use crate::outputs::GENERATED_DIR;
use crate::process;

/// The page written.
pub const OUTPUT: &str = "bench_minilm.md";
/// The thread counts measured.
const THREADS: [u32; 2] = [1, 2];
/// The batch sizes measured.
const BATCHES: [u64; 2] = [32, 64];

/// One PyTorch measurement.
struct Torch {
    threads: u32,
    batch: u64,
    per_second: f64,
}

pub fn run(no_run: bool) -> Result<()> {
    let args = ["bench", "-p", "llm-anomaly-bench", "--bench", "minilm", "--features", "text"];
    let started = if no_run { SystemTime::UNIX_EPOCH } else { SystemTime::now() };
    let pinned = taskset_works();
    if !no_run {
        process::run(process::cargo().args(args).arg("--no-run"))?;
        for threads in THREADS {
            let mut cmd = if threads == 1 && pinned {
                let mut c = Command::new("taskset");
                c.args(["-c", "0"]).arg(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
                c
            } else {
                process::cargo()
            };
            cmd.args(args).args(["--", "--noplot"]).env("CANDLE_NUM_THREADS", threads.to_string());
            process::run(&mut cmd)?;
        }
    }
    let (mut results, _) = bench::read_results(&process::target_dir().join("criterion"), started)?;
    results.retain(|r| r.group.starts_with("minilm_threads_"));
    if results.is_empty() {
        bail!("no criterion results of benches/minilm.rs (is the model installed? `cargo xtask models`)");
    }
    let (torch, torch_note) = pytorch(pinned)?;
    let page = render(&results, &torch, &torch_note, pinned);
    let path = Path::new(GENERATED_DIR).join(OUTPUT);
    fs::write(&path, &page).with_context(|| format!("writing {}", path.display()))?;
    println!("{page}\nbench: wrote {}", path.display());
    Ok(())
}

fn taskset_works() -> bool {
    Command::new("taskset").args(["-c", "0", "true"]).status().is_ok_and(|s| s.success())
}

/// Runs the PyTorch script at every thread count; `(measurements, versions or why not)`.
fn pytorch(pinned: bool) -> Result<(Vec<Torch>, String)> {
    let python = std::env::var("LLM_ANOMALY_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python).args(["-c", "import sentence_transformers"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return Ok((Vec::new(), format!("not measured: `{python}` cannot import sentence_transformers")));
    }
    let model_dir = model_dir()?;
    let headlines = process::target_dir().join("minilm_headlines.txt");
    fs::write(&headlines, llm_anomaly::simulate::news_corpus::benchmark_headlines().join("\n"))?;
    let (mut out, mut versions) = (Vec::new(), String::new());
    for threads in THREADS {
        let mut cmd = if threads == 1 && pinned {
            let mut c = Command::new("taskset");
            c.args(["-c", "0", &python]);
            c
        } else {
            Command::new(&python)
        };
        cmd.arg("benches/minilm_pytorch.py").arg(&model_dir).arg(&headlines).arg(threads.to_string());
        for line in process::stdout_of(&mut cmd)?.lines() {
            let v: Value = serde_json::from_str(line).with_context(|| format!("PyTorch script printed {line}"))?;
            match (v["batch"].as_u64(), v["sentences_per_s"].as_f64()) {
                (Some(batch), Some(per_second)) => out.push(Torch { threads, batch, per_second }),
                _ => versions = format!("torch {}, sentence-transformers {}", v["torch"], v["sentence_transformers"]),
            }
        }
    }
    Ok((out, versions.replace('"', "")))
}

fn model_dir() -> Result<std::path::PathBuf> {
    use llm_anomaly::models::{MINILM, ModelCache};
    Ok(ModelCache::discover(None).resolve(MINILM.id)?)
}

fn sentences_per_second(results: &[BenchResult], threads: u32, function: &str, batch: u64) -> Option<f64> {
    let group = format!("minilm_threads_{threads}");
    let value = batch.to_string();
    results
        .iter()
        .find(|r| r.group == group && r.function.as_deref() == Some(function) && r.value.as_deref() == Some(&value))
        .and_then(|r| r.elements.map(|n| n as f64 / (r.mean_ns * 1e-9)))
}

fn render(results: &[BenchResult], torch: &[Torch], torch_note: &str, pinned: bool) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "<!-- Generated by `cargo xtask bench minilm`. Do not edit: run it again. -->\n");
    let _ = writeln!(
        md,
        "| Threads | Batch | candle-transformers `BertModel` | this crate's `BertEncoder` | PyTorch sentence-transformers | ours / PyTorch | ours / `BertModel` |"
    );
    let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|");
    let cell = |x: Option<f64>| x.map_or("—".to_string(), |v| format!("{v:.0}"));
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "—".to_string(),
    };
    for threads in THREADS {
        for batch in BATCHES {
            let reference = sentences_per_second(results, threads, "candle_transformers", batch);
            let ours = sentences_per_second(results, threads, "fused", batch);
            let pytorch = torch.iter().find(|t| t.threads == threads && t.batch == batch).map(|t| t.per_second);
            let _ = writeln!(
                md,
                "| {threads} | {batch} | {} | {} | {} | {} | {} |",
                cell(reference),
                cell(ours),
                cell(pytorch),
                ratio(ours, pytorch),
                ratio(ours, reference)
            );
        }
    }
    let _ = writeln!(
        md,
        "\nSentences per second (mean of criterion's samples; PyTorch: best of 3 runs), all-MiniLM-L6-v2 on the 1 000 headlines of `news_corpus::benchmark_headlines()`, CPU only.\n"
    );
    let _ = writeln!(md, "- CPU: {} ({} logical CPUs)", bench::cpu_model(), bench::logical_cpus());
    let _ = writeln!(
        md,
        "- Date (UTC): {}; commit {} (`-dirty`: with uncommitted changes)",
        bench::format_utc(SystemTime::now()),
        bench::git_describe()
    );
    let _ = writeln!(md, "- Compiler: {}", bench::rustc_version());
    let pin = if pinned { "pinned to one core with `taskset -c 0`" } else { "not pinned (no taskset)" };
    let _ = writeln!(md, "- 1 thread: `CANDLE_NUM_THREADS=1` / `torch.set_num_threads(1)`, {pin}; 2 threads: unpinned");
    let _ = writeln!(md, "- PyTorch: {torch_note}");
    let _ = writeln!(
        md,
        "- Commands: `cargo bench -p llm-anomaly-bench --bench minilm --features text`, `python3 benches/minilm_pytorch.py` (both run by `cargo xtask bench minilm`)"
    );
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CI does not rerun the benchmark (a speed belongs to a machine); it
    /// checks that the committed page is one this renderer wrote.
    #[test]
    fn the_committed_page_has_the_renderers_shape() {
        let fresh = render(&[], &[], "not measured", true);
        let path = process::repo_root().join("book/generated").join(OUTPUT);
        let committed = fs::read_to_string(&path).expect("the committed page");
        let header = |page: &str| page.lines().filter(|l| l.starts_with('|')).take(2).collect::<Vec<_>>().join("\n");
        assert_eq!(header(&committed), header(&fresh), "{} was not written by this renderer", path.display());
        let rows = committed.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| Threads")).count();
        assert_eq!(rows, THREADS.len() * BATCHES.len(), "one row per thread count and batch size");
        for needle in ["- CPU: ", "- Date (UTC): ", "commit ", "- PyTorch: "] {
            assert!(committed.contains(needle), "the page does not say `{needle}`");
        }
    }
}
