//! Bybit's public trade archive: every trade of a derivatives symbol for
//! one UTC day, as a gzip-compressed CSV on
//! `https://public.bybit.com/trading/<SYMBOL>/<SYMBOL><YYYY-MM-DD>.csv.gz`
//! (columns `timestamp,symbol,side,size,price,tickDirection,trdMatchID,
//! grossValue,homeNotional,foreignNotional`, which
//! [`TapeFile`](crate::market::TapeFile) reads as they are). A day appears
//! some hours after it ends.
//!
//! [`TradeArchive`] downloads a day once and keeps it, decompressed, in a
//! local cache: running an example again reads the file instead of
//! downloading it. A download is written beside its final name and renamed
//! only once it is complete and decompressed without error, so a broken
//! connection never leaves a truncated file that looks cached.
//!
//! ```no_run
//! use llm_anomaly::bybit::TradeArchive;
//! use llm_anomaly::market::TapeFile;
//!
//! let archive = TradeArchive::mainnet("target/bybit-archive")?;
//! let day = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
//! let path = archive.day("BTCUSDT", day)?;
//! let tape = TapeFile::read(&path, Some("BTCUSDT")).unwrap().tape;
//! println!("{} trades", tape.len());
//! # Ok::<(), llm_anomaly::bybit::BybitError>(())
//! ```

use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use chrono::NaiveDate;

use super::error::BybitError;
use super::rest::describe;
use crate::llm::{Jitter, RetryPolicy};

/// Where Bybit publishes the archive.
pub const ARCHIVE_URL: &str = "https://public.bybit.com";

/// Downloads days of the public trade archive into a cache folder.
#[derive(Debug)]
pub struct TradeArchive {
    base: String,
    cache_dir: PathBuf,
    http: reqwest::Client,
    retry: RetryPolicy,
    timeout: Duration,
    jitter: Mutex<Jitter>,
    runtime: OnceLock<tokio::runtime::Runtime>,
}

impl TradeArchive {
    /// The archive at `base_url` (e.g. [`ARCHIVE_URL`], or a local server
    /// in tests), cached under `cache_dir`. Errors on a URL that is not
    /// absolute http(s).
    pub fn new(base_url: &str, cache_dir: impl Into<PathBuf>) -> Result<Self, BybitError> {
        let base = base_url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(BybitError::BadUrl { url: base_url.into(), problem: "is not an absolute http(s) URL".into() });
        }
        let timeout = Duration::from_secs(600);
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(timeout)
            .build()
            .map_err(|e| BybitError::Connection { url: base.clone(), message: describe(&e) })?;
        let retry = RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
        };
        Ok(Self {
            base,
            cache_dir: cache_dir.into(),
            http,
            retry,
            timeout,
            jitter: Mutex::new(Jitter::from_clock()),
            runtime: OnceLock::new(),
        })
    }

    /// Bybit's own archive ([`ARCHIVE_URL`]), cached under `cache_dir`.
    pub fn mainnet(cache_dir: impl Into<PathBuf>) -> Result<Self, BybitError> {
        Self::new(ARCHIVE_URL, cache_dir)
    }

    /// Uses `retry` between failed attempts (tests make it short).
    pub fn with_retry(self, retry: RetryPolicy) -> Self {
        Self { retry, ..self }
    }

    /// The URL of `symbol`'s trades on `day`.
    pub fn url_of(&self, symbol: &str, day: NaiveDate) -> String {
        format!("{}/trading/{symbol}/{symbol}{}.csv.gz", self.base, day.format("%Y-%m-%d"))
    }

    /// Where the decompressed day is kept: `<cache>/<SYMBOL>/<SYMBOL><day>.csv`.
    pub fn cached_path(&self, symbol: &str, day: NaiveDate) -> PathBuf {
        self.cache_dir.join(symbol).join(format!("{symbol}{}.csv", day.format("%Y-%m-%d")))
    }

    /// `true` when the day is in the cache already.
    pub fn is_cached(&self, symbol: &str, day: NaiveDate) -> bool {
        self.cached_path(symbol, day).is_file()
    }

    /// The decompressed CSV of `symbol` on `day`, downloaded first unless
    /// it is cached. Errors name the URL: HTTP 404 (the day is not
    /// published, or the symbol has no archive), other HTTP statuses,
    /// timeouts and broken connections (retried with backoff), a body that
    /// is not gzip or is cut short, and the cache folder's I/O errors.
    pub async fn day_async(&self, symbol: &str, day: NaiveDate) -> Result<PathBuf, BybitError> {
        check_symbol(symbol)?;
        let path = self.cached_path(symbol, day);
        if path.is_file() {
            return Ok(path);
        }
        let url = self.url_of(symbol, day);
        let folder = path.parent().unwrap_or(&self.cache_dir).to_path_buf();
        fs::create_dir_all(&folder).map_err(|e| io_error(&folder, &e))?;
        // Names of this process's own: two runs fetching the same day do
        // not write into each other's files.
        let partial = path.with_extension(format!("csv.gz.part-{}", std::process::id()));
        let mut retry = 0;
        loop {
            match self.download(&url, &partial).await {
                Ok(()) => break,
                Err(error) if error.is_retryable() && retry < self.retry.max_retries => {
                    let wait = {
                        let mut jitter = self.jitter.lock().unwrap_or_else(|p| p.into_inner());
                        self.retry.delay(retry, None, &mut jitter).unwrap_or(self.retry.max_delay)
                    };
                    retry += 1;
                    tokio::time::sleep(wait).await;
                }
                Err(error) if error.is_retryable() => {
                    let _ = fs::remove_file(&partial);
                    return Err(BybitError::RetriesExhausted { attempts: retry + 1, last: Box::new(error) });
                }
                Err(error) => {
                    let _ = fs::remove_file(&partial);
                    return Err(error);
                }
            }
        }
        // Decompressing a day takes seconds: off the async threads.
        let unpacked = path.with_extension(format!("csv.part-{}", std::process::id()));
        let done = path.clone();
        tokio::task::spawn_blocking(move || {
            let result = gunzip(&partial, &unpacked, &url);
            let _ = fs::remove_file(&partial);
            result?;
            fs::rename(&unpacked, &done).map_err(|e| io_error(&done, &e))
        })
        .await
        .map_err(|e| BybitError::Runtime { message: format!("the decompression task failed: {e}") })??;
        Ok(path)
    }

    /// [`Self::day_async`] on the archive's own runtime; inside a tokio
    /// runtime it is an error (use the async form there).
    pub fn day(&self, symbol: &str, day: NaiveDate) -> Result<PathBuf, BybitError> {
        crate::blocking::block_on(&self.runtime, self.day_async(symbol, day), |message| BybitError::Runtime { message })
    }

    /// The days `first..=last` of `symbol` in one CSV (the header once,
    /// then every day's rows), kept in the cache as
    /// `<SYMBOL>_<first>_<last>.csv`; each day is downloaded as
    /// [`Self::day`] does.
    pub fn days(&self, symbol: &str, first: NaiveDate, last: NaiveDate) -> Result<PathBuf, BybitError> {
        if last < first {
            return Err(BybitError::InvalidRequest {
                parameter: "last",
                value: format!("{last} (first {first})"),
                reason: "the last day must not be before the first".into(),
            });
        }
        let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
        let mut files = Vec::with_capacity(days.len());
        for day in &days {
            files.push(self.day(symbol, *day)?);
        }
        if files.len() == 1 {
            return Ok(files.remove(0));
        }
        let joined = self.cache_dir.join(symbol).join(format!(
            "{symbol}_{}_{}.csv",
            first.format("%Y-%m-%d"),
            last.format("%Y-%m-%d")
        ));
        if !joined.is_file() {
            let partial = joined.with_extension(format!("csv.part-{}", std::process::id()));
            join_csv(&files, &partial)?;
            fs::rename(&partial, &joined).map_err(|e| io_error(&joined, &e))?;
        }
        Ok(joined)
    }

    /// One attempt: the body streamed into `partial`.
    async fn download(&self, url: &str, partial: &Path) -> Result<(), BybitError> {
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                BybitError::Timeout { url: url.to_string(), after: self.timeout }
            } else {
                BybitError::Connection { url: url.to_string(), message: describe(&e) }
            }
        };
        let mut response = self.http.get(url).send().await.map_err(transport)?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let body = response.text().await.unwrap_or_default();
            let mut body_excerpt: String = body.chars().take(200).collect();
            if status == 404 {
                body_excerpt = format!(
                    "no such file: the day is not published yet (a day appears some hours after it ends) \
                     or the symbol has no archive; {body_excerpt}"
                );
            }
            return Err(BybitError::Http { url: url.to_string(), status, body_excerpt });
        }
        let file = fs::File::create(partial).map_err(|e| io_error(partial, &e))?;
        let mut out = BufWriter::new(file);
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            out.write_all(&chunk).map_err(|e| io_error(partial, &e))?;
        }
        out.flush().map_err(|e| io_error(partial, &e))?;
        Ok(())
    }
}

/// A symbol is letters and digits only: it becomes part of a URL and a path.
fn check_symbol(symbol: &str) -> Result<(), BybitError> {
    if symbol.is_empty() || !symbol.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(BybitError::InvalidRequest {
            parameter: "symbol",
            value: format!("{symbol:?}"),
            reason: "a Bybit symbol is letters and digits, e.g. BTCUSDT".into(),
        });
    }
    Ok(())
}

/// Decompresses `from` into `to`, every gzip member of it; a body that is
/// not gzip, or is cut short, is an error naming the URL.
fn gunzip(from: &Path, to: &Path, url: &str) -> Result<(), BybitError> {
    let input = fs::File::open(from).map_err(|e| io_error(from, &e))?;
    let mut decoder = flate2::read::MultiGzDecoder::new(BufReader::new(input));
    let output = fs::File::create(to).map_err(|e| io_error(to, &e))?;
    let mut out = BufWriter::new(output);
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = decoder.read(&mut buffer).map_err(|e| {
            let _ = fs::remove_file(to);
            BybitError::BadResponse {
                endpoint: url.to_string(),
                problem: format!("not a complete gzip file ({e})"),
                excerpt: String::new(),
            }
        })?;
        if n == 0 {
            break;
        }
        out.write_all(&buffer[..n]).map_err(|e| io_error(to, &e))?;
    }
    out.flush().map_err(|e| io_error(to, &e))
}

/// The files' lines in one CSV, the first file's header once.
fn join_csv(files: &[PathBuf], to: &Path) -> Result<(), BybitError> {
    let output = fs::File::create(to).map_err(|e| io_error(to, &e))?;
    let mut out = BufWriter::new(output);
    for (k, file) in files.iter().enumerate() {
        let input = fs::File::open(file).map_err(|e| io_error(file, &e))?;
        for (n, line) in BufReader::new(input).lines().enumerate() {
            let line = line.map_err(|e| io_error(file, &e))?;
            if n == 0 && k > 0 {
                continue;
            }
            writeln!(out, "{line}").map_err(|e| io_error(to, &e))?;
        }
    }
    out.flush().map_err(|e| io_error(to, &e))
}

fn io_error(path: &Path, error: &std::io::Error) -> BybitError {
    BybitError::Cache { path: path.display().to_string(), message: error.to_string() }
}
