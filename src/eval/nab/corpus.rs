//! The NAB corpus: every series under `data/` with its windows from
//! `labels/combined_windows.json`, read as NAB has them.
//!
//! Rows stay exactly as in the file: NAB scores one anomaly score per row,
//! so repeated timestamps (a few files have them) and the one backward step
//! (`machine_temperature_system_failure`) are kept, and a window boundary is
//! the *first* row with that timestamp, as NAB's scorer finds it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use super::error::NabError;

/// NAB's timestamp format in the data files.
const ROW_TIMESTAMP: &str = "%Y-%m-%d %H:%M:%S";
/// NAB's timestamp format in the windows file (`.000000` microseconds).
const WINDOW_TIMESTAMP: &str = "%Y-%m-%d %H:%M:%S%.f";

/// One labelled anomaly window, both ends inclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct NabWindow {
    /// First row of the window.
    pub start_row: usize,
    /// Last row of the window.
    pub end_row: usize,
}

impl NabWindow {
    /// Rows in the window.
    pub fn width(&self) -> usize {
        self.end_row - self.start_row + 1
    }
}

/// One series of the corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct NabSeries {
    /// `category/name.csv`, as NAB names it.
    pub name: String,
    /// The row timestamps, in file order.
    pub timestamps: Vec<NaiveDateTime>,
    /// The values, in file order.
    pub values: Vec<f64>,
    /// The labelled windows, in time order.
    pub windows: Vec<NabWindow>,
}

impl NabSeries {
    /// The category (`realTweets`, ...): the folder of the file.
    pub fn category(&self) -> &str {
        self.name.split_once('/').map_or("", |(category, _)| category)
    }

    /// The file name without the category and the `.csv`.
    pub fn stem(&self) -> &str {
        let file = self.name.split_once('/').map_or(self.name.as_str(), |(_, file)| file);
        file.strip_suffix(".csv").unwrap_or(file)
    }

    /// Rows in the series.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// Whether the series has no rows.
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }
}

/// The corpus, series sorted by name.
#[derive(Debug, Clone, PartialEq)]
pub struct NabCorpus {
    /// The NAB folder (with `data/` and `labels/`).
    pub root: PathBuf,
    /// Every series.
    pub series: Vec<NabSeries>,
}

impl NabCorpus {
    /// Reads every series of `root/data` and the windows of
    /// `root/labels/combined_windows.json`.
    pub fn load(root: &Path) -> Result<Self, NabError> {
        Self::load_where(root, |_| true)
    }

    /// [`NabCorpus::load`] for the series whose name (`category/name.csv`)
    /// `keep` accepts.
    pub fn load_where(root: &Path, keep: impl Fn(&str) -> bool) -> Result<Self, NabError> {
        let labels_path = root.join("labels").join("combined_windows.json");
        let text = read(&labels_path)?;
        let labels: BTreeMap<String, Vec<[String; 2]>> = serde_json::from_str(&text)
            .map_err(|e| NabError::Labels { path: labels_path.clone(), problem: e.to_string() })?;
        let mut series = Vec::new();
        for (name, windows) in labels.iter().filter(|(name, _)| keep(name)) {
            let path = root.join("data").join(name);
            let (timestamps, values) = read_series(&path)?;
            let windows = windows
                .iter()
                .map(|[start, end]| {
                    let row = |which: &'static str, text: &str| {
                        let at =
                            NaiveDateTime::parse_from_str(text, WINDOW_TIMESTAMP).map_err(|e| NabError::Labels {
                                path: labels_path.clone(),
                                problem: format!("{name}: window {which} {text:?} is not a timestamp ({e})"),
                            })?;
                        timestamps.iter().position(|t| *t == at).ok_or_else(|| NabError::WindowOutsideData {
                            series: name.clone(),
                            which,
                            timestamp: text.to_string(),
                        })
                    };
                    Ok(NabWindow { start_row: row("start", start)?, end_row: row("end", end)? })
                })
                .collect::<Result<Vec<_>, NabError>>()?;
            series.push(NabSeries { name: name.clone(), timestamps, values, windows });
        }
        Ok(Self { root: root.to_path_buf(), series })
    }

    /// Labelled windows in the corpus.
    pub fn window_count(&self) -> usize {
        self.series.iter().map(|s| s.windows.len()).sum()
    }
}

pub(crate) fn read(path: &Path) -> Result<String, NabError> {
    std::fs::read_to_string(path).map_err(|source| NabError::Io { path: path.to_path_buf(), source })
}

/// The `timestamp,<number>` rows of a NAB-style CSV (data or results file;
/// the number is the second column), in file order.
pub(crate) fn read_series(path: &Path) -> Result<(Vec<NaiveDateTime>, Vec<f64>), NabError> {
    let text = read(path)?;
    let mut lines = text.lines().enumerate();
    let bad = |line: usize, problem: String| NabError::Row { path: path.to_path_buf(), line, problem };
    match lines.next() {
        Some((_, header)) if header.starts_with("timestamp,") => {}
        Some((_, header)) => return Err(bad(1, format!("header {header:?} does not start with `timestamp,`"))),
        None => return Err(bad(1, "the file is empty".into())),
    }
    let (mut timestamps, mut values) = (Vec::new(), Vec::new());
    for (index, line) in lines.filter(|(_, l)| !l.trim().is_empty()) {
        let mut fields = line.split(',');
        let (Some(time), Some(number)) = (fields.next(), fields.next()) else {
            return Err(bad(index + 1, format!("{line:?} has fewer than two fields")));
        };
        let at = NaiveDateTime::parse_from_str(time.trim(), ROW_TIMESTAMP)
            .map_err(|e| bad(index + 1, format!("timestamp {time:?} is not YYYY-MM-DD HH:MM:SS ({e})")))?;
        let value: f64 =
            number.trim().parse().map_err(|_| bad(index + 1, format!("value {number:?} is not a number")))?;
        if !value.is_finite() {
            return Err(bad(index + 1, format!("value {number:?} is not finite")));
        }
        timestamps.push(at);
        values.push(value);
    }
    Ok((timestamps, values))
}
