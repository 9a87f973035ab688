//! A detector's scores in NAB's results layout:
//! `DIR/<detector>/<category>/<detector>_<name>.csv` with the columns
//! `timestamp,anomaly_score` (further columns are ignored), one row per row
//! of the series. The detector's name is its folder's name.

use std::path::Path;

use super::corpus::{NabCorpus, read_series};
use super::error::NabError;

/// One detector's scores, aligned with the corpus' series.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorResults {
    /// The folder name.
    pub detector: String,
    /// `scores[i]`: one anomaly score per row of `corpus.series[i]`.
    pub scores: Vec<Vec<f64>>,
}

/// Every detector folder in `dir` (sorted by name), read against `corpus`.
/// A folder without a file for some series, a file with another number of
/// rows, or a timestamp that differs from the series' is an error naming it.
pub fn read_results_dir(dir: &Path, corpus: &NabCorpus) -> Result<Vec<DetectorResults>, NabError> {
    let io = |source| NabError::Io { path: dir.to_path_buf(), source };
    let mut detectors: Vec<String> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| entry.file_name().to_str().map(str::to_string))
        .collect();
    detectors.sort();
    detectors.iter().map(|detector| read_detector(&dir.join(detector), detector, corpus)).collect()
}

fn read_detector(folder: &Path, detector: &str, corpus: &NabCorpus) -> Result<DetectorResults, NabError> {
    let mut scores = Vec::with_capacity(corpus.series.len());
    for series in &corpus.series {
        let path = folder.join(series.category()).join(format!("{detector}_{}.csv", series.stem()));
        if !path.is_file() {
            return Err(NabError::MissingResults {
                detector: detector.to_string(),
                series: series.name.clone(),
                expected: path,
            });
        }
        let (timestamps, values) = read_series(&path)?;
        let mismatch = |problem: String| NabError::ResultsMismatch { path: path.clone(), problem };
        if timestamps.len() != series.len() {
            return Err(mismatch(format!("{} rows, the series has {}", timestamps.len(), series.len())));
        }
        if let Some(row) = (0..timestamps.len()).find(|&i| timestamps[i] != series.timestamps[i]) {
            return Err(mismatch(format!(
                "row {} has timestamp {}, the series {}",
                row + 1,
                timestamps[row],
                series.timestamps[row]
            )));
        }
        scores.push(values);
    }
    Ok(DetectorResults { detector: detector.to_string(), scores })
}
