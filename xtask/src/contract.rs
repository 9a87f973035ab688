//! `cargo xtask contract`: run example 01 as a user would and check its
//! `--json` output contract (GUIDE §7) on the simulator, on the simulator's
//! own CSV read back through `--input`, and on a messy unlabelled CSV; and
//! its news context (the model must be installed: `cargo xtask models`).

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

use crate::process;

const DIR: &str = "target/contract";
const RATES: [&str; 5] = ["precision", "recall", "f1", "pr_auc", "roc_auc"];
/// The alert line of GUIDE §8 (the alert model's `AlertInterval`).
const ALERT_FIELDS: [&str; 18] = [
    "symbol",
    "start",
    "end",
    "peak_at",
    "hits",
    "source",
    "type",
    "peak_score",
    "probability",
    "confidence",
    "confidence_level",
    "threshold",
    "explained",
    "explained_by",
    "explanation",
    "evidence",
    "escalated",
    "escalated_by",
];

pub fn run() -> Result<()> {
    fs::create_dir_all(DIR)?;
    let (sim_csv, sim_news) = (format!("{DIR}/sim.csv"), format!("{DIR}/sim_news.csv"));
    let (status, out, err) = example(&["--json", "--export-csv", &sim_csv, "--export-news", &sim_news])?;
    ensure!(status, "example 01 failed on the simulator:\n{err}");
    let sim = check_lines(&out, true).context("simulator run")?;
    check_news_context(&sim, &out)?;

    let (status, out, err) = example(&["--json", "--input", &sim_csv, "--news", &sim_news])?;
    ensure!(status, "example 01 failed on its own exported CSV and news:\n{err}");
    let mut round_trip = check_lines(&out, true).context("--input of the exported CSV")?;
    ensure!(
        round_trip["news_context"]["used"] == true && round_trip["context_events"].is_null(),
        "--news of the exported headlines: {}",
        round_trip["news_context"]
    );
    // The CSV carries the 0/1 label but not the simulator's pattern names.
    let mut sim = sim;
    ensure!(sim["input"].is_null(), "the simulator's summary has an `input` object: {}", sim["input"]);
    let input = round_trip["input"].clone();
    ensure!(
        input["rows_read"] == input["rows_used"] && input["skipped"] == serde_json::json!({}),
        "the exported CSV should read without loss: {input}"
    );
    for summary in [&mut sim, &mut round_trip] {
        let summary = summary.as_object_mut().context("summary is an object")?;
        for key in ["per_pattern", "input", "context_events", "context_events_alerted"] {
            summary.remove(key);
        }
        summary["news_context"].as_object_mut().context("news_context is an object")?.remove("news");
    }
    ensure!(sim == round_trip, "the exported CSV gives another summary than the simulator:\n{sim}\n{round_trip}");

    let messy = format!("{DIR}/messy.csv");
    write_messy(Path::new(&sim_csv), Path::new(&messy))?;
    let (status, out, err) = example(&["--json", "--input", &messy])?;
    ensure!(status, "example 01 failed on a messy unlabelled CSV:\n{err}");
    let messy_summary = check_lines(&out, false).context("--input of a messy unlabelled CSV")?;
    for needle in ["line 6: skipped", "dropped, repeats line", "sorted by time; out of order at lines"] {
        ensure!(err.contains(needle), "stderr does not report `{needle}`:\n{err}");
    }
    let input = &messy_summary["input"];
    for (path, want) in [
        ("/skipped/invalid_bar", 1),
        ("/skipped/duplicate_timestamp_identical", 1),
        ("/repaired/sorted_out_of_order", 1),
        ("/rows_read", 3001),
        ("/rows_used", 2999),
    ] {
        ensure!(input.pointer(path) == Some(&Value::from(want)), "summary.input{path} is not {want}: {input}");
    }

    // The same file with Windows line endings: the same alerts, the same lines.
    let crlf = format!("{DIR}/messy_crlf.csv");
    fs::write(&crlf, fs::read_to_string(&messy)?.replace('\n', "\r\n"))?;
    let (status, crlf_out, crlf_err) = example(&["--json", "--input", &crlf])?;
    ensure!(status, "example 01 failed on the CRLF copy:\n{crlf_err}");
    ensure!(
        without_file_names(&crlf_out, &crlf) == without_file_names(&out, &messy)
            && without_file_names(&crlf_err, &crlf) == without_file_names(&err, &messy),
        "the CRLF copy gives other results or other line numbers"
    );

    // Shuffled and repeated rows give, after the reported repairs, exactly the clean file's alerts.
    let shuffled = format!("{DIR}/shuffled.csv");
    write_shuffled(Path::new(&sim_csv), Path::new(&shuffled))?;
    let (status, shuffled_out, shuffled_err) = example(&["--json", "--input", &shuffled])?;
    ensure!(status, "example 01 failed on shuffled rows:\n{shuffled_err}");
    let (_, clean_out, _) = example(&["--json", "--input", &sim_csv])?;
    ensure!(
        alert_lines(&shuffled_out) == alert_lines(&clean_out),
        "shuffled and repeated rows changed the alerts after the repairs"
    );

    // A thousands separator that splits a row is reported, and refused by --strict.
    let split = format!("{DIR}/split_number.csv");
    let mut text = fs::read_to_string(&messy)?;
    text = text.replacen(",0\n", ",9,098\n", 40);
    fs::write(&split, &text)?;
    let (status, _, err) = example(&["--json", "--input", &split])?;
    ensure!(status && err.contains("fields, the header has"), "a split number is not reported:\n{err}");
    let (status, _, _) = example(&["--json", "--strict", "--input", &split])?;
    ensure!(!status, "--strict accepted a row with a split number");

    // --stream: the same contract, in constant memory; disorder is refused, not repaired.
    let (status, out, err) = example(&["--json", "--stream", "--input", &sim_csv])?;
    ensure!(status, "--stream failed on the exported CSV:\n{err}");
    let streamed = check_lines(&out, true).context("--stream of the exported CSV")?;
    ensure!(streamed["pr_auc"].is_null() && streamed["mode"] == "stream", "--stream summary: {streamed}");
    let (status, _, err) = example(&["--json", "--stream", "--input", &shuffled])?;
    ensure!(!status && err.contains("time order"), "--stream accepted unsorted rows:\n{err}");

    // A constant file runs to the end and gives no alerts.
    let flat = format!("{DIR}/flat.csv");
    let mut text = String::from("timestamp,close,volume\n");
    for i in 0..2000 {
        text.push_str(&format!("{},100,10\n", 1_700_000_000 + 60 * i));
    }
    fs::write(&flat, text)?;
    let (status, out, err) = example(&["--json", "--input", &flat])?;
    ensure!(status, "example 01 failed on a constant file:\n{err}");
    let summary = check_lines(&out, false).context("constant file")?;
    ensure!(summary["alerts"] == 0, "a constant file raised alerts: {summary}");
    ensure!(err.contains("constant series"), "no note on the constant file:\n{err}");
    let (status, _, err) = example(&["--json", "--strict", "--input", &messy])?;
    ensure!(!status, "--strict accepted a file that needs repairs");
    ensure!(err.contains("--strict"), "--strict refusal does not say why:\n{err}");
    news_context_failures(&sim_csv)?;
    println!(
        "contract: ok (simulator, news context, CSV and news round trip, messy unlabelled CSV, CRLF copy, shuffled rows, split number, --stream, constant file, --strict, missing model and news)"
    );
    Ok(())
}

fn example(args: &[&str]) -> Result<(bool, String, String)> {
    let mut cmd: Command = process::cargo();
    cmd.args(["run", "--quiet", "--example", "01_unusual_trading", "--", "--figures-dir", DIR]).args(args);
    let output = cmd.output().with_context(|| format!("running {}", process::describe(&cmd)))?;
    Ok((
        output.status.success(),
        String::from_utf8(output.stdout).context("stdout is not UTF-8")?,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

/// The simulator's news context: on (the model is installed), every
/// earnings episode explained, and no labelled event lost against
/// `--news-context off`.
fn check_news_context(sim: &Value, stdout: &str) -> Result<()> {
    let context = &sim["news_context"];
    ensure!(context["used"] == true, "the news context is off on the simulator (is the model installed?): {context}");
    let (episodes, unexplained) = (&sim["context_events"], &sim["context_events_alerted"]);
    ensure!(
        episodes.as_u64().is_some_and(|n| n > 0) && unexplained == 0,
        "earnings episodes {episodes}, still alerted unexplained {unexplained}"
    );
    let explained = stdout.lines().filter(|l| l.contains("\"explained\":true")).count();
    ensure!(
        sim["explained_alerts"] == explained,
        "summary explained_alerts {} != {explained} lines",
        sim["explained_alerts"]
    );
    let (status, off_out, err) = example(&["--json", "--news-context", "off"])?;
    ensure!(status, "--news-context off failed:\n{err}");
    let off = check_lines(&off_out, true).context("--news-context off")?;
    ensure!(off["news_context"]["used"] == false && off["explained_alerts"] == 0, "off: {}", off["news_context"]);
    ensure!(
        off["detected_events"] == sim["detected_events"] && off["alerts"] == sim["alerts"],
        "the news context lost events or alerts: off {} events {} alerts, on {} and {}",
        off["detected_events"],
        off["alerts"],
        sim["detected_events"],
        sim["alerts"]
    );
    let precision = |v: &Value| v["precision"].as_f64().unwrap_or(0.0);
    ensure!(precision(sim) >= precision(&off), "explained alerts lowered precision: {sim} vs {off}");
    Ok(())
}

/// `--news-context on` without a model, or without news, stops with a
/// message that says what to do; a news file's undated and market-wide rows
/// are reported; `--news-fit` on the judged file, or on too few headlines,
/// is refused.
fn news_context_failures(sim_csv: &str) -> Result<()> {
    let empty = format!("{DIR}/no_models");
    fs::create_dir_all(&empty)?;
    let (status, _, err) = example(&["--json", "--news-context", "on", "--model-dir", &empty])?;
    ensure!(!status && err.contains("cargo xtask models"), "--news-context on without a model:\n{err}");
    let (status, out, err) = example(&["--json", "--model-dir", &empty])?;
    ensure!(status && err.contains("news context: off"), "auto without a model did not say it is off:\n{err}");
    ensure!(check_lines(&out, true)?["news_context"]["used"] == false, "auto without a model used it");
    let (status, _, err) = example(&["--json", "--news-context", "on", "--input", sim_csv])?;
    ensure!(!status && err.contains("--news FILE"), "--news-context on without news:\n{err}");
    let news = format!("{DIR}/news_messy.csv");
    fs::write(
        &news,
        "published,ticker,title,extra\nsoon,ACME,Acme Corp raises its dividend,x\n2025-01-20T18:00:00Z,,Fed holds rates,y\n2025-01-20T18:05:00Z,BOLT,Bolt Energy beats estimates,z\n",
    )?;
    let (status, _, err) = example(&["--json", "--input", sim_csv, "--news", &news])?;
    ensure!(status, "a messy news file failed:\n{err}");
    for needle in ["without a timestamp left out", "without a symbol: market-wide"] {
        ensure!(err.contains(needle), "the news file's problem `{needle}` is not reported:\n{err}");
    }
    let (status, _, err) = example(&["--json", "--input", sim_csv, "--news", &news, "--news-fit", &news])?;
    ensure!(!status && err.contains("same file"), "--news-fit of the judged news was accepted:\n{err}");
    let fit = format!("{DIR}/news_fit_small.csv");
    fs::write(&fit, "headline\nAcme Corp raises its dividend\nBolt Energy beats estimates\n")?;
    let (status, _, err) = example(&["--json", "--input", sim_csv, "--news", &news, "--news-fit", &fit])?;
    ensure!(!status && err.contains("at least 300"), "a 2-headline --news-fit was accepted:\n{err}");
    Ok(())
}

/// Checks every line and returns the summary object.
fn check_lines(stdout: &str, labelled: bool) -> Result<Value> {
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    ensure!(!lines.is_empty(), "nothing on stdout");
    let mut values = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let v: Value =
            serde_json::from_str(line).with_context(|| format!("stdout line {} is not JSON: {line}", i + 1))?;
        values.push(v);
    }
    let summary =
        values.pop().and_then(|v| v.get("summary").cloned()).context("the last line is not {\"summary\": ...}")?;
    for alert in &values {
        for field in ALERT_FIELDS {
            ensure!(alert.get(field).is_some(), "alert line lacks `{field}`: {alert}");
        }
        for field in ["start", "end", "peak_at"] {
            let t = alert[field].as_str().unwrap_or_default();
            ensure!(t.len() == 20 && t.ends_with('Z') && &t[10..11] == "T", "`{field}` is not RFC 3339 UTC: {t}");
        }
        let unit = |v: &Value| v.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x));
        ensure!(alert["probability"].is_null() || unit(&alert["probability"]), "`probability` not in [0, 1]: {alert}");
        ensure!(unit(&alert["confidence"]), "`confidence` not in [0, 1]: {alert}");
        let level = alert["confidence_level"].as_str().unwrap_or_default();
        ensure!(["low", "medium", "high"].contains(&level), "`confidence_level` is {level:?}: {alert}");
        ensure!(alert["explained"].is_boolean() && alert["evidence"].is_object(), "`explained`/`evidence`: {alert}");
    }
    ensure!(summary["labelled"] == Value::Bool(labelled), "expected \"labelled\": {labelled}: {summary}");
    for rate in RATES {
        let v = &summary[rate];
        match (labelled, v) {
            (false, Value::Null) => {}
            (false, _) => bail!("unlabelled input but `{rate}` = {v}"),
            (true, Value::Null) => {}
            (true, v) => {
                let x = v.as_f64().with_context(|| format!("`{rate}` is not a number: {v}"))?;
                ensure!((0.0..=1.0).contains(&x), "`{rate}` = {x} is outside [0, 1]");
            }
        }
    }
    if labelled {
        let events = summary["events"].as_u64().context("`events` missing")?;
        let detected = summary["detected_events"].as_u64().context("`detected_events` missing")?;
        ensure!(detected <= events, "detected_events {detected} > events {events}");
    } else {
        ensure!(
            summary["events"].is_null() && summary["detected_events"].is_null(),
            "unlabelled input has event counts"
        );
    }
    Ok(summary)
}

/// One symbol of the simulator's CSV, as a user's file might look: other
/// header spellings, an extra column, no labels, a NaN row, two rows swapped
/// and a duplicated row.
fn write_messy(from: &Path, to: &Path) -> Result<()> {
    let text = fs::read_to_string(from)?;
    let mut rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect::<Vec<_>>()).collect();
    rows.retain(|r| r[1] == "ACME");
    rows.truncate(3000);
    let mut out: Vec<String> = vec!["Date,Ticker,Open,High,Low,Close,Volume,Turnover".into()];
    for r in &rows {
        // timestamp, symbol, open, high, low, close, volume (label and pattern dropped)
        out.push(format!("{},{},{},{},{},{},{},0", r[0], r[1], r[2], r[3], r[4], r[5], r[6]));
    }
    out[5] = out[5].replacen(&format!(",{},", rows[3][5]), ",NaN,", 1); // line 6
    out.swap(100, 101);
    let duplicate = out[200].clone();
    out.insert(201, duplicate);
    fs::write(to, out.join("\n") + "\n")?;
    Ok(())
}

/// The output with every mention of the input's path removed.
fn without_file_names(text: &str, path: &str) -> String {
    text.replace(path, "<input>")
}

/// The alert lines of a `--json` run (everything but the summary).
fn alert_lines(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| !l.starts_with("{\"summary\"")).collect()
}

/// The simulator's CSV with its data rows in a fixed scrambled order and
/// some rows repeated.
fn write_shuffled(from: &Path, to: &Path) -> Result<()> {
    let text = fs::read_to_string(from)?;
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    // A deterministic permutation: multiply the index by a number coprime with the length.
    let n = lines.len();
    let step = (1..).map(|k| n / 3 + k).find(|s| gcd(*s, n) == 1).unwrap_or(1);
    let mut out = vec![header.to_string()];
    for i in 0..n {
        out.push(lines[(i * step) % n].to_string());
        // Every 500th row twice: exact duplicates, dropped by the repair.
        if i.is_multiple_of(500) {
            out.push(lines[(i * step) % n].to_string());
        }
    }
    fs::write(to, out.join("\n") + "\n")?;
    Ok(())
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}
