//! What can be wrong with a NAB corpus or a detector's results.

use std::path::PathBuf;

/// A NAB file that cannot be used, with the file and the row at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NabError {
    /// A file or folder cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A CSV row that cannot be read.
    #[error("{path}: line {line}: {problem}")]
    Row {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong (field, value).
        problem: String,
    },
    /// The labels file is not what NAB writes.
    #[error("{path}: {problem}")]
    Labels {
        /// The labels file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A window boundary that is no row's timestamp.
    #[error("{series}: window {which} {timestamp} is not the timestamp of any row")]
    WindowOutsideData {
        /// The series (`category/name.csv`).
        series: String,
        /// `start` or `end`.
        which: &'static str,
        /// The boundary.
        timestamp: String,
    },
    /// A results file whose rows do not match its series.
    #[error("{path}: {problem}")]
    ResultsMismatch {
        /// The results file.
        path: PathBuf,
        /// What does not match (row count, a timestamp).
        problem: String,
    },
    /// A detector folder that lacks a series of the corpus.
    #[error("detector `{detector}` has no results for {series} (expected {expected})")]
    MissingResults {
        /// The detector (folder name).
        detector: String,
        /// The series (`category/name.csv`).
        series: String,
        /// The path that was looked for.
        expected: PathBuf,
    },
}
