//! The zero-shot example run as a user would: its `--json` lines (one per
//! analysis, then the summary), the injection test it runs live against
//! the real local model (no attack may lower the detector's score, each
//! attack is reported as `prompt_injection`), and a missing model refused
//! with the install command.

use std::fs;
use std::process::Command;

use anyhow::{Context, Result, ensure};
use serde_json::Value;

use crate::process;

const DIR: &str = "target/contract/zero_shot";

pub fn run() -> Result<()> {
    fs::create_dir_all(DIR)?;
    let (ok, out, err) = example(&["--json"])?;
    ensure!(ok, "the zero-shot example failed:\n{err}");
    let mut lines: Vec<Value> = Vec::new();
    for (i, line) in out.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        lines.push(serde_json::from_str(line).with_context(|| format!("stdout line {} is not JSON: {line}", i + 1))?);
    }
    let summary = lines.pop().and_then(|v| v.get("summary").cloned()).context("the last line is not a summary")?;
    ensure!(lines.len() == 5, "{} analysis lines, expected the headline and 4 attacks", lines.len());
    for line in &lines {
        for field in ["case", "text", "answer", "verdict", "injection", "score", "anomaly_type", "score_source"] {
            ensure!(line.get(field).is_some(), "analysis line lacks `{field}`: {line}");
        }
        ensure!(line["verdict"]["valid"].is_boolean(), "verdict.valid is a bool: {line}");
    }
    for attack in &lines[1..] {
        ensure!(attack["anomaly_type"] == "prompt_injection", "an attack not reported as injection: {attack}");
        ensure!(attack["injection"].as_array().is_some_and(|a| !a.is_empty()), "{attack}");
    }
    ensure!(summary["attacks"] == 4 && summary["detector_score_lowered"] == 0, "summary: {summary}");
    ensure!(summary["labelled"] == 0 && summary["precision"].is_null(), "unlabelled metrics are null: {summary}");
    let empty_cache = format!("{DIR}/empty-cache");
    fs::create_dir_all(&empty_cache)?;
    let (ok, _, err) = example(&["--model-dir", &empty_cache, "--no-attacks"])?;
    ensure!(!ok && err.contains("cargo xtask models"), "a missing model must name the install command:\n{err}");
    println!(
        "contract: zero_shot_detection --json: the model's own verdict lowered by {} of 4 attacks, the detector's score by 0",
        summary["model_verdict_lowered"]
    );
    Ok(())
}

fn example(args: &[&str]) -> Result<(bool, String, String)> {
    let mut cmd: Command = process::cargo();
    cmd.args(["run", "--quiet", "--example", "zero_shot_detection", "--"]).args(args);
    cmd.env("CANDLE_NUM_THREADS", "1");
    let output = cmd.output().with_context(|| format!("running {}", process::describe(&cmd)))?;
    Ok((
        output.status.success(),
        String::from_utf8(output.stdout).context("stdout is not UTF-8")?,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}
