//! `cargo xtask contract` (second half): example 02 run as a user would,
//! checking its `--json` contract (GUIDE §8 scored-item lines) and its
//! refusals: a labelled CSV with damaged rows, a plain file with empty,
//! non-UTF-8 and 100 000-character lines, a CSV without a text column, and
//! a model cache without the model.

use std::fs;
use std::process::Command;

use anyhow::{Context, Result, ensure};
use serde_json::Value;

use crate::process;

const DIR: &str = "target/contract/news";
/// The scored-item line of GUIDE §8.
const ITEM_FIELDS: [&str; 13] = [
    "index",
    "text",
    "symbol",
    "timestamp",
    "score",
    "probability",
    "anomalous",
    "type",
    "confidence",
    "confidence_level",
    "explanation",
    "action",
    "evidence",
];
const RATES: [&str; 5] = ["precision", "recall", "f1", "pr_auc", "roc_auc"];
const ACTIONS: [&str; 4] = ["IMMEDIATE_REVIEW", "ELEVATED_MONITORING", "STANDARD_MONITORING", "NO_ACTION_REQUIRED"];

pub fn run() -> Result<()> {
    fs::create_dir_all(DIR)?;
    // A smaller reference keeps the runs short; the contract is the same.
    let (ok, out, err) = example(&["--json", "--per-family", "10", "--input", "tests/data/text/own_headlines.csv"])?;
    ensure!(ok, "example 02 failed on a labelled CSV:\n{err}");
    let summary = check_lines(&out, 7).context("labelled CSV")?;
    ensure!(summary["labelled"] == true, "the CSV has labels: {summary}");
    for (path, want) in
        [("/input/empty_skipped", 1), ("/input/labels_unreadable", 1), ("/input/timestamps_unreadable", 1)]
    {
        ensure!(summary.pointer(path) == Some(&Value::from(want)), "summary{path} is not {want}: {summary}");
    }
    for needle in ["line 9: label `maybe`", "line 9: timestamp `yesterday`"] {
        ensure!(err.contains(needle), "stderr does not report `{needle}`:\n{err}");
    }

    let plain = format!("{DIR}/plain.txt");
    let mut bytes = b"Fed holds rates steady\n\n   \nCompany X CEO arrested for fraud\n".to_vec();
    bytes.extend(b"caf\xe9 latin-1 line\n");
    bytes.extend("spam ".repeat(20_000).as_bytes());
    bytes.extend(b"\n\xf0\x9f\x9a\x80 $XYZ to the moon, buy now\n");
    fs::write(&plain, bytes)?;
    let (ok, out, err) = example(&["--json", "--per-family", "10", "--input", &plain])?;
    ensure!(ok, "example 02 failed on a plain file with damaged lines:\n{err}");
    let summary = check_lines(&out, 4).context("plain file")?;
    ensure!(summary["labelled"] == false, "a plain file has no labels: {summary}");
    for rate in RATES {
        ensure!(summary[rate].is_null(), "`{rate}` must be null without labels: {summary}");
    }
    for (path, want) in [("/input/empty_skipped", 2), ("/input/not_utf8", 1), ("/truncated", 1)] {
        ensure!(summary.pointer(path) == Some(&Value::from(want)), "summary{path} is not {want}: {summary}");
    }
    ensure!(err.contains("line 5: not UTF-8"), "stderr does not name the non-UTF-8 line:\n{err}");
    ensure!(err.contains("longer than the model reads"), "stderr does not report the truncation:\n{err}");

    let no_text = format!("{DIR}/no_text.csv");
    fs::write(&no_text, "id,body\n1,Fed holds rates\n")?;
    let (ok, _, err) = example(&["--input", &no_text])?;
    ensure!(!ok && err.contains("no text column") && err.contains("\"body\""), "a CSV without a text column:\n{err}");

    // A server that is down is reported as such, naming the URL, not turned into scores.
    let (ok, _, err) = example(&[
        "--per-family",
        "10",
        "--backend",
        "http",
        "--base-url",
        "http://127.0.0.1:9/v1",
        "--input",
        "tests/data/text/own_headlines.csv",
    ])?;
    ensure!(
        !ok && err.contains("language model failed on all") && err.contains("127.0.0.1:9"),
        "a backend that is down must be reported:\n{err}"
    );

    let empty_cache = format!("{DIR}/empty-cache");
    fs::create_dir_all(&empty_cache)?;
    let (ok, _, err) = example(&["--model-dir", &empty_cache])?;
    ensure!(!ok && err.contains("cargo xtask models"), "a missing model must name the install command:\n{err}");
    println!("contract: example 02 --json, damaged input and a missing model: ok");
    Ok(())
}

fn example(args: &[&str]) -> Result<(bool, String, String)> {
    let mut cmd: Command = process::cargo();
    // The language-model part is exercised by `cargo xtask outputs` (the book's run); here it would only cost time.
    cmd.args(["run", "--quiet", "--example", "02_news_anomaly", "--", "--no-figures"]);
    if !args.contains(&"--backend") {
        cmd.args(["--backend", "none"]);
    }
    cmd.args(args);
    cmd.env("CANDLE_NUM_THREADS", "1");
    let output = cmd.output().with_context(|| format!("running {}", process::describe(&cmd)))?;
    Ok((
        output.status.success(),
        String::from_utf8(output.stdout).context("stdout is not UTF-8")?,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

/// Checks `expected` item lines (fields, order, ranges) and returns the summary.
fn check_lines(stdout: &str, expected: usize) -> Result<Value> {
    let mut values: Vec<Value> = Vec::new();
    for (i, line) in stdout.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        values.push(serde_json::from_str(line).with_context(|| format!("stdout line {} is not JSON: {line}", i + 1))?);
    }
    let summary =
        values.pop().and_then(|v| v.get("summary").cloned()).context("the last line is not {\"summary\": ...}")?;
    ensure!(values.len() == expected, "{} item lines, expected {expected}", values.len());
    for (index, item) in values.iter().enumerate() {
        for field in ITEM_FIELDS {
            ensure!(item.get(field).is_some(), "item line lacks `{field}`: {item}");
        }
        ensure!(item["index"] == index, "items out of order: {item}");
        let p = item["probability"].as_f64().context("probability is a number")?;
        let c = item["confidence"].as_f64().context("confidence is a number")?;
        ensure!(
            (0.0..=1.0).contains(&p) && (0.0..=1.0).contains(&c),
            "probability or confidence out of [0, 1]: {item}"
        );
        let action = item["action"].as_str().unwrap_or_default();
        ensure!(ACTIONS.contains(&action), "unknown action: {item}");
        ensure!(item["anomalous"].is_boolean() && item["explanation"].is_string(), "{item}");
    }
    for rate in RATES {
        let v = &summary[rate];
        ensure!(v.is_null() || v.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x)), "`{rate}` = {v}");
    }
    Ok(summary)
}
