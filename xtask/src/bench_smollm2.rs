//! `cargo xtask bench smollm2`: local language-model speed, candle against
//! llama.cpp, on the same CPU, the same GGUF and the same prompt tokens,
//! written to `book/generated/bench_smollm2.md` (committed; the zero-shot
//! pages include it).
//!
//! 1. `benches/smollm2.rs` (criterion) runs twice: with
//!    `CANDLE_NUM_THREADS=1` pinned to one core (`taskset -c 0`) and with
//!    `CANDLE_NUM_THREADS=2` unpinned. It writes the prompt's token ids to
//!    `target/smollm2_prompt_tokens.json`.
//! 2. `benches/smollm2_llamacpp.py` runs llama-cpp-python on the same file
//!    and tokens with 1 thread (pinned the same way) and 2, with the Python
//!    of `$LLM_ANOMALY_PYTHON` (default `python3`). Without llama_cpp the
//!    page says llama.cpp was not measured.
//! 3. The page gives prompt and generation tokens/s per load mode and thread
//!    count, and the ratio to llama.cpp, with the CPU, the date, the commit
//!    and the commands.

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
pub const OUTPUT: &str = "bench_smollm2.md";
/// The thread counts measured.
const THREADS: [u32; 2] = [1, 2];
/// The load modes of the Rust bench, with how the page names them.
const MODES: [(&str, &str); 3] = [
    ("as_stored", "candle, Q4_1 as stored"),
    ("requantized_q8_0", "candle, requantised to Q8_0"),
    ("q8_0_dense_prompts", "candle, Q8_0 + dense f32 copy for prompts (the default)"),
];

/// One llama.cpp measurement.
struct LlamaCpp {
    threads: u32,
    prompt: f64,
    generate: f64,
}

pub fn run(no_run: bool) -> Result<()> {
    let args = ["bench", "-p", "llm-anomaly-bench", "--bench", "smollm2", "--features", "text"];
    // Absolute: the bench runs in `benches/`.
    let tokens = std::path::absolute(process::target_dir().join("smollm2_prompt_tokens.json"))?;
    let started = if no_run { SystemTime::UNIX_EPOCH } else { SystemTime::now() };
    let pinned = bench::taskset_works();
    if !no_run {
        process::run(process::cargo().args(args).arg("--no-run"))?;
        for threads in THREADS {
            let mut cmd = bench::on_threads(bench::cargo_program(), threads, pinned);
            cmd.args(args)
                .args(["--", "--noplot"])
                .env("CANDLE_NUM_THREADS", threads.to_string())
                .env("SMOLLM2_PROMPT_TOKENS_OUT", &tokens);
            process::run(&mut cmd)?;
        }
    }
    let (mut results, _) = bench::read_results(&process::target_dir().join("criterion"), started)?;
    results.retain(|r| r.group.starts_with("smollm2_threads_"));
    if results.is_empty() {
        bail!("no criterion results of benches/smollm2.rs (is the model installed? `cargo xtask models`)");
    }
    let (llama, note) = llama_cpp(&tokens, pinned)?;
    let prompt_tokens =
        fs::read_to_string(&tokens).ok().and_then(|t| serde_json::from_str::<Vec<u32>>(&t).ok()).map_or(0, |t| t.len());
    let page = render(&results, &llama, &note, pinned, prompt_tokens);
    let path = Path::new(GENERATED_DIR).join(OUTPUT);
    fs::write(&path, &page).with_context(|| format!("writing {}", path.display()))?;
    println!("{page}\nbench: wrote {}", path.display());
    Ok(())
}

/// Runs the llama.cpp script at every thread count; `(measurements, version or why not)`.
fn llama_cpp(tokens: &Path, pinned: bool) -> Result<(Vec<LlamaCpp>, String)> {
    let python = std::env::var("LLM_ANOMALY_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python).args(["-c", "import llama_cpp"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return Ok((Vec::new(), format!("not measured: `{python}` cannot import llama_cpp")));
    }
    if !tokens.exists() {
        return Ok((Vec::new(), format!("not measured: {} is missing (run without --no-run)", tokens.display())));
    }
    use llm_anomaly::models::{ModelCache, SMOLLM2, SMOLLM2_GGUF, find_gguf};
    let gguf = find_gguf(&ModelCache::discover(None), &SMOLLM2, SMOLLM2_GGUF)?;
    let (mut out, mut version) = (Vec::new(), String::new());
    for threads in THREADS {
        let mut cmd = bench::on_threads(python.clone().into(), threads, pinned);
        cmd.arg("benches/smollm2_llamacpp.py").arg(&gguf).arg(tokens).arg(threads.to_string());
        for line in process::stdout_of(&mut cmd)?.lines() {
            let v: Value = serde_json::from_str(line).with_context(|| format!("llama.cpp script printed {line}"))?;
            match (v["prompt_tokens_per_s"].as_f64(), v["generate_tokens_per_s"].as_f64()) {
                (Some(prompt), Some(generate)) => out.push(LlamaCpp { threads, prompt, generate }),
                _ => version = format!("llama-cpp-python {}", v["llama_cpp_python"].as_str().unwrap_or("?")),
            }
        }
    }
    Ok((out, version))
}

fn tokens_per_second(results: &[BenchResult], threads: u32, function: &str, mode: &str) -> Option<f64> {
    let group = format!("smollm2_threads_{threads}");
    results
        .iter()
        .find(|r| r.group == group && r.function.as_deref() == Some(function) && r.value.as_deref() == Some(mode))
        .and_then(|r| r.elements.map(|n| n as f64 / (r.mean_ns * 1e-9)))
}

fn render(results: &[BenchResult], llama: &[LlamaCpp], note: &str, pinned: bool, prompt_tokens: usize) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "<!-- Generated by `cargo xtask bench smollm2`. Do not edit: run it again. -->\n");
    let _ = writeln!(
        md,
        "| Threads | Runtime | Prompt tokens/s | Generated tokens/s | Prompt / llama.cpp | Generation / llama.cpp |"
    );
    let _ = writeln!(md, "|---:|:---|---:|---:|---:|---:|");
    let cell = |x: Option<f64>| x.map_or("—".to_string(), |v| format!("{v:.0}"));
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "—".to_string(),
    };
    for threads in THREADS {
        let reference = llama.iter().find(|l| l.threads == threads);
        let reference_generate = reference.map(|l| l.generate);
        let reference_prompt = reference.map(|l| l.prompt);
        for (mode, name) in MODES {
            let generate = tokens_per_second(results, threads, "generate", mode);
            let prompt = tokens_per_second(results, threads, "prompt", mode);
            let _ = writeln!(
                md,
                "| {threads} | {name} | {} | {} | {} | {} |",
                cell(prompt),
                cell(generate),
                ratio(prompt, reference_prompt),
                ratio(generate, reference_generate)
            );
        }
        let _ = writeln!(
            md,
            "| {threads} | llama.cpp, Q4_1 | {} | {} | 1.00× | 1.00× |",
            cell(reference.map(|l| l.prompt)),
            cell(reference_generate)
        );
    }
    let _ = writeln!(
        md,
        "\nTokens per second (candle: mean of criterion's samples; llama.cpp: best of 3 runs), SmolLM2-135M-Instruct `SmolLM2-135M-Instruct.Q4_1.gguf`, CPU only. Prompt: the zero-shot verdict prompt of one headline in the model's chat template ({prompt_tokens} tokens, fed in one call); generation: 64 tokens, greedy, after that prompt.\n"
    );
    bench::machine_lines(&mut md, pinned, "`CANDLE_NUM_THREADS=1` / `n_threads=1`");
    let _ = writeln!(md, "- llama.cpp: {note}, built from source by pip");
    let _ = writeln!(
        md,
        "- Commands: `cargo bench -p llm-anomaly-bench --bench smollm2 --features text`, `python3 benches/smollm2_llamacpp.py` (both run by `cargo xtask bench smollm2`)"
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
        let fresh = render(&[], &[], "not measured", true, 0);
        let committed =
            bench::committed_page(OUTPUT, &fresh, &["- CPU: ", "- Date (UTC): ", "commit ", "- llama.cpp: "]);
        let rows = committed.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| Threads")).count();
        assert_eq!(rows, THREADS.len() * (MODES.len() + 1), "one row per thread count and runtime");
    }
}
