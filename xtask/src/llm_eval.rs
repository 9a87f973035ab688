//! `cargo xtask llm-eval`: the zero-shot scores of the local language models
//! (SmolLM2, and Gemma-3-270M without generated verdicts) against the
//! embedding detector, on the corpus families no detector was
//! fitted on, written to `book/generated/llm_zero_shot.md` (committed; the
//! zero-shot page includes it).
//!
//! It runs `examples/zero_shot_evaluation.rs` in release mode at one thread
//! (`CANDLE_NUM_THREADS=1`, so the generated verdicts are reproducible on a
//! machine) and records the command, seed, commit and CPU. The model's
//! choices can differ across CPUs (kernels round differently), so CI does
//! not rerun it: it runs a two-headline smoke of the same code
//! ([`smoke`]) and checks that the committed page has this renderer's shape.

use std::fmt::Write as _;
use std::fs;
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context, Result, ensure};
use serde_json::Value;

use crate::bench;
use crate::outputs::GENERATED_DIR;
use crate::process;

/// The page written.
pub const OUTPUT: &str = "llm_zero_shot.md";
/// The scores, in the order of the table.
const METHODS: [&str; 5] =
    ["perplexity", "label_likelihood", "zero_shot_verdict", "injection_scan", "minilm_embedding"];
/// What each score is, for the table.
const DESCRIPTIONS: [&str; 5] = [
    "mean negative log-likelihood per token (SmolLM2)",
    "log P(Yes) − log P(No) after a yes/no question (SmolLM2)",
    "the guided verdict's `anomaly_score` (SmolLM2, zero-shot)",
    "1 if the text carries instructions, else 0 (rules)",
    "example 02's detector (MiniLM embeddings, fitted on the fit families)",
];

/// The figure written, under `book/figures/`.
pub const FIGURE: &str = "llm_zero_shot_scores.svg";

/// The second local model, scored without generated verdicts (it is a base
/// model, not instruction-tuned).
const SECOND_MODEL: &str = "unsloth/gemma-3-270m-GGUF";
/// Its scores, in the order of the table.
const SECOND_MODEL_METHODS: [&str; 2] = ["perplexity", "label_likelihood"];

pub fn run() -> Result<()> {
    let figure = format!("book/figures/{FIGURE}");
    let args = ["--json", "--figure", figure.as_str()];
    let lines = evaluate(&args, true)?;
    let second_args = ["--json", "--no-verdicts", "--model", SECOND_MODEL];
    let second = evaluate(&second_args, true)?;
    let command = |args: &[&str]| format!("cargo run --release --example zero_shot_evaluation -- {}", args.join(" "));
    let page = render(&lines, &second, &[command(&args), command(&second_args)]);
    let path = process::repo_root().join(GENERATED_DIR).join(OUTPUT);
    fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))?;
    println!("llm-eval: wrote {}", path.display());
    // The zero-shot page's "Run it" output: the example's human text, at one thread.
    let mut cmd: Command = process::cargo();
    cmd.args(["run", "--quiet", "--release", "--example", "zero_shot_detection", "--", "--no-timings"]);
    cmd.env("CANDLE_NUM_THREADS", "1");
    let output = cmd.output().with_context(|| format!("running {}", process::describe(&cmd)))?;
    ensure!(output.status.success(), "zero_shot_detection failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let run = process::repo_root().join(GENERATED_DIR).join(RUN_OUTPUT);
    fs::write(&run, &output.stderr).with_context(|| format!("cannot write {}", run.display()))?;
    println!("llm-eval: wrote {}", run.display());
    Ok(())
}

/// The zero-shot example's output, written beside the table.
pub const RUN_OUTPUT: &str = "zero_shot_detection.txt";

/// The CI smoke: one headline per held-out family, no verdicts, in the
/// debug build the other steps use; checks every score line's fields.
pub fn smoke() -> Result<()> {
    let figure = "target/llm_eval_smoke.svg";
    let lines = evaluate(&["--json", "--per-family", "1", "--no-verdicts", "--figure", figure], false)?;
    ensure!(std::path::Path::new(figure).is_file(), "the smoke run wrote no figure");
    let methods: Vec<&str> = lines.iter().filter_map(|l| l["method"].as_str()).collect();
    ensure!(
        methods == ["perplexity", "label_likelihood", "injection_scan", "minilm_embedding"],
        "the smoke run gave the scores {methods:?}"
    );
    for line in lines.iter().filter(|l| l.get("method").is_some()) {
        ensure!(line["roc_auc"].as_f64().is_some_and(|v| (0.0..=1.0).contains(&v)), "roc_auc of {line}");
        ensure!(line["mean_by_kind"]["normal"].is_number(), "mean_by_kind.normal of {line}");
    }
    println!("llm-eval smoke: {} scores on one headline per held-out family: ok", methods.len());
    Ok(())
}

/// Runs the evaluation example and returns its score lines (the summary dropped).
fn evaluate(args: &[&str], release: bool) -> Result<Vec<Value>> {
    let mut cmd: Command = process::cargo();
    cmd.args(["run", "--quiet"]);
    if release {
        cmd.arg("--release");
    }
    cmd.args(["--example", "zero_shot_evaluation", "--"]).args(args);
    cmd.env("CANDLE_NUM_THREADS", "1");
    let out = process::stdout_of(&mut cmd)?;
    let mut lines: Vec<Value> = Vec::new();
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        lines.push(serde_json::from_str(line).with_context(|| format!("not JSON: {line}"))?);
    }
    let summary = lines.pop().context("no output")?;
    ensure!(summary.get("summary").is_some(), "the last line is not the summary: {summary}");
    lines.push(summary);
    Ok(lines)
}

fn render(lines: &[Value], second: &[Value], commands: &[String]) -> String {
    let summary = lines.iter().find_map(|l| l.get("summary")).cloned().unwrap_or(Value::Null);
    let second_summary = second.iter().find_map(|l| l.get("summary")).cloned().unwrap_or(Value::Null);
    let second_name = second_summary["model"].as_str().unwrap_or("Gemma 3 270m");
    let mut md = String::new();
    let _ = writeln!(md, "<!-- Generated by `cargo xtask llm-eval`. Do not edit: run it again. -->\n");
    let _ = writeln!(
        md,
        "| Score | What it is | ROC-AUC | PR-AUC | mean on normal | mean on pump spam | mean on prompt injection | ms per headline |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---:|---:|---:|");
    let number = |v: &Value, digits: usize| v.as_f64().map_or("—".to_string(), |x| format!("{x:.digits$}"));
    let second_rows = SECOND_MODEL_METHODS
        .iter()
        .zip(&DESCRIPTIONS)
        .map(|(method, description)| (*method, description.replace("(SmolLM2)", &format!("({second_name})")), second));
    let rows = METHODS.iter().zip(DESCRIPTIONS).map(|(method, description)| (*method, description.to_string(), lines));
    for (method, description, lines) in rows.chain(second_rows) {
        let Some(line) = lines.iter().find(|l| l["method"] == method) else {
            let _ = writeln!(md, "| `{method}` | {description} | — | — | — | — | — | — |");
            continue;
        };
        let _ = writeln!(
            md,
            "| `{method}` | {description} | {} | {} | {} | {} | {} | {} |",
            number(&line["roc_auc"], 3),
            number(&line["pr_auc"], 3),
            number(&line["mean_by_kind"]["normal"], 3),
            number(&line["mean_by_kind"]["pump_spam"], 3),
            number(&line["mean_by_kind"]["prompt_injection"], 3),
            number(&line["ms_per_text"], 0),
        );
    }
    let _ = writeln!(
        md,
        "\n{} headlines of the {} held-out corpus families (seed {}, {} per family; {} anomalous), scored one by one on the CPU; higher = more anomalous for every score.\n",
        summary["headlines"], summary["held_out_families"], summary["seed"], summary["per_family"], summary["events"],
    );
    let _ = writeln!(
        md,
        "- Models: {} (GGUF Q4_1 requantised to Q8_0), {second_name} (the base model, GGUF Q4_K_M with its Q5_0 tensors requantised to Q8_0; no generated verdicts: it is not instruction-tuned), {}",
        summary["model"].as_str().unwrap_or("?"),
        summary["embedding_model"].as_str().unwrap_or("?")
    );
    let _ =
        writeln!(md, "- CPU: {} ({} logical CPUs), `CANDLE_NUM_THREADS=1`", bench::cpu_model(), bench::logical_cpus());
    let _ = writeln!(md, "- Date (UTC): {}; commit {}", bench::format_utc(SystemTime::now()), bench::git_describe());
    let commands: Vec<String> = commands.iter().map(|c| format!("`{c}`")).collect();
    let _ = writeln!(md, "- Commands: {} (run by `cargo xtask llm-eval`)", commands.join(" and "));
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CI does not rerun the evaluation (the model's choices belong to a
    /// CPU); it checks that the committed page is one this renderer wrote.
    #[test]
    fn the_committed_page_has_the_renderers_shape() {
        let fresh = render(&[], &[], &["x".to_string()]);
        let committed =
            bench::committed_page(OUTPUT, &fresh, &["- CPU: ", "- Date (UTC): ", "commit ", "- Commands: "]);
        for method in METHODS {
            assert!(committed.contains(&format!("| `{method}` |")), "no row for {method}");
        }
        assert!(committed.contains("(Gemma 3 270m)"), "no rows for the second model");
    }
}
