//! The public trade archive (bybit::TradeArchive) against a local server on
//! 127.0.0.1 that serves gzip files at Bybit's paths: a day is downloaded
//! once and read from the cache after; days are joined with one header;
//! the file reads as a Bybit trade tape; a missing day, a body cut short, a
//! body that is not gzip and a bad symbol are errors naming them; a 503 is
//! retried; a failed download leaves nothing that looks cached.

mod local_http;

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use chrono::NaiveDate;
use llm_anomaly::bybit::{BybitError, RetryPolicy, TradeArchive};
use llm_anomaly::market::{TakerSide, TapeFile};

/// One answer: an HTTP status and a body.
type Answer = (u16, Vec<u8>);

/// What the server answers per path, in turn (the last answer repeats), and
/// how many requests each path got.
#[derive(Clone, Default)]
struct Files {
    answers: Arc<Mutex<HashMap<String, Vec<Answer>>>>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl Files {
    fn serve(&self, path: &str, answers: Vec<Answer>) {
        self.answers.lock().unwrap().insert(path.into(), answers);
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

async fn answer(State(files): State<Files>, uri: Uri) -> (StatusCode, Vec<u8>) {
    let path = uri.path().to_string();
    let n = {
        let mut hits = files.hits.lock().unwrap();
        let n = hits.entry(path.clone()).or_default();
        *n += 1;
        *n
    };
    let answers = files.answers.lock().unwrap();
    match answers.get(&path) {
        Some(list) => {
            let (status, body) = list[(n - 1).min(list.len() - 1)].clone();
            (StatusCode::from_u16(status).unwrap(), body)
        }
        None => (StatusCode::NOT_FOUND, b"<Error><Code>NoSuchKey</Code></Error>".to_vec()),
    }
}

/// Starts the server on its own thread and runtime; returns its base URL.
fn start(files: Files) -> String {
    local_http::serve(Router::new().fallback(answer).with_state(files))
}

/// A day of the archive: Bybit's columns, fractional-second timestamps.
fn day_csv(day: u32, trades: usize) -> String {
    let mut csv = String::from(
        "timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional\n",
    );
    for k in 0..trades {
        let t = 1_709_251_200.0 + f64::from(day - 1) * 86_400.0 + k as f64 * 30.5;
        let side = if k % 3 == 0 { "Sell" } else { "Buy" };
        let price = 61_000.5 + (k % 7) as f64;
        csv.push_str(&format!(
            "{t:.4},BTCUSDT,{side},0.0{},{price:.1},PlusTick,{k:08x}-aaaa-bbbb-cccc-{day:012},1e+10,0.01,610\n",
            1 + k % 9
        ));
    }
    csv
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, day).unwrap()
}

fn cache(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("llm-anomaly-archive-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(1),
    }
}

#[test]
fn a_day_is_downloaded_once_and_reads_as_a_bybit_tape() {
    let files = Files::default();
    files.serve("/trading/BTCUSDT/BTCUSDT2024-03-01.csv.gz", vec![(200, gzip(&day_csv(1, 2000)))]);
    files.serve("/trading/BTCUSDT/BTCUSDT2024-03-02.csv.gz", vec![(200, gzip(&day_csv(2, 1500)))]);
    let base = start(files.clone());
    let dir = cache("once");
    let archive = TradeArchive::new(&base, &dir).unwrap();
    assert_eq!(archive.url_of("BTCUSDT", date(1)), format!("{base}/trading/BTCUSDT/BTCUSDT2024-03-01.csv.gz"));
    assert!(!archive.is_cached("BTCUSDT", date(1)));
    let path = archive.day("BTCUSDT", date(1)).unwrap();
    assert_eq!(path, dir.join("BTCUSDT").join("BTCUSDT2024-03-01.csv"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), day_csv(1, 2000));
    // Again, and from a new archive on the same cache: no second download.
    archive.day("BTCUSDT", date(1)).unwrap();
    TradeArchive::new(&base, &dir).unwrap().day("BTCUSDT", date(1)).unwrap();
    assert_eq!(files.hits("/trading/BTCUSDT/BTCUSDT2024-03-01.csv.gz"), 1);

    // Two days joined, one header, and read as Bybit's format.
    let joined = archive.days("BTCUSDT", date(1), date(2)).unwrap();
    let text = std::fs::read_to_string(&joined).unwrap();
    assert_eq!(text.matches("timestamp,symbol").count(), 1);
    let loaded = TapeFile::read(&joined, None).unwrap();
    assert_eq!(loaded.tape.len(), 3500);
    assert_eq!(loaded.tape.instrument().symbol(), "BTCUSDT");
    assert_eq!(loaded.tape.instrument().tick_size().to_string(), "0.1");
    let first = loaded.tape.trades()[0];
    assert_eq!((first.time_us, first.taker), (1_709_251_200_000_000, TakerSide::Sell));
    assert_eq!(files.hits("/trading/BTCUSDT/BTCUSDT2024-03-02.csv.gz"), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_day_is_a_404_naming_the_url_and_leaves_no_file() {
    let base = start(Files::default());
    let dir = cache("missing");
    let archive = TradeArchive::new(&base, &dir).unwrap().with_retry(quick());
    let error = archive.day("BTCUSDT", date(9)).unwrap_err();
    match &error {
        BybitError::Http { url, status: 404, body_excerpt } => {
            assert!(url.ends_with("/trading/BTCUSDT/BTCUSDT2024-03-09.csv.gz"), "{url}");
            assert!(body_excerpt.contains("not published yet"), "{body_excerpt}");
        }
        other => panic!("expected HTTP 404, got {other:?}"),
    }
    assert!(!archive.is_cached("BTCUSDT", date(9)));
    assert_eq!(std::fs::read_dir(dir.join("BTCUSDT")).unwrap().count(), 0, "no partial file left");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_cut_short_or_non_gzip_body_is_an_error_and_a_503_is_retried() {
    let files = Files::default();
    let whole = gzip(&day_csv(3, 3000));
    files.serve("/trading/BTCUSDT/BTCUSDT2024-03-03.csv.gz", vec![(200, whole[..whole.len() / 2].to_vec())]);
    files.serve("/trading/BTCUSDT/BTCUSDT2024-03-04.csv.gz", vec![(200, b"timestamp,symbol\n1,BTCUSDT\n".to_vec())]);
    files.serve(
        "/trading/BTCUSDT/BTCUSDT2024-03-05.csv.gz",
        vec![(503, b"busy".to_vec()), (200, gzip(&day_csv(5, 10)))],
    );
    files.serve("/trading/BTCUSDT/BTCUSDT2024-03-06.csv.gz", vec![(503, b"busy".to_vec())]);
    let base = start(files.clone());
    let dir = cache("faults");
    let archive = TradeArchive::new(&base, &dir).unwrap().with_retry(quick());
    for day in [3, 4] {
        let error = archive.day("BTCUSDT", date(day)).unwrap_err().to_string();
        assert!(error.contains("not a complete gzip file") && error.contains(&format!("2024-03-0{day}")), "{error}");
        assert!(!archive.is_cached("BTCUSDT", date(day)));
    }
    let path = archive.day("BTCUSDT", date(5)).unwrap();
    assert_eq!(std::fs::read_to_string(path).unwrap(), day_csv(5, 10));
    assert_eq!(files.hits("/trading/BTCUSDT/BTCUSDT2024-03-05.csv.gz"), 2);
    let error = archive.day("BTCUSDT", date(6)).unwrap_err();
    assert!(matches!(error, BybitError::RetriesExhausted { attempts: 3, .. }), "{error:?}");
    assert_eq!(files.hits("/trading/BTCUSDT/BTCUSDT2024-03-06.csv.gz"), 3);
    let names: Vec<String> = std::fs::read_dir(dir.join("BTCUSDT"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["BTCUSDT2024-03-05.csv"], "only the good day is cached");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_symbols_urls_and_ranges_are_refused() {
    let archive = TradeArchive::new("http://127.0.0.1:9", cache("bad")).unwrap();
    for symbol in ["", "../etc", "BTC/USDT"] {
        let error = archive.day(symbol, date(1)).unwrap_err().to_string();
        assert!(error.contains("symbol"), "{error}");
    }
    assert!(archive.days("BTCUSDT", date(2), date(1)).unwrap_err().to_string().contains("last"));
    assert!(TradeArchive::new("public.bybit.com", "x").unwrap_err().to_string().contains("absolute"));
}

#[test]
fn a_file_of_several_gzip_members_is_read_whole() {
    let files = Files::default();
    let text = day_csv(7, 600);
    let (head, tail) = text.split_at(text.len() / 2);
    let mut body = gzip(head);
    body.extend(gzip(tail));
    files.serve("/trading/BTCUSDT/BTCUSDT2024-03-07.csv.gz", vec![(200, body)]);
    let base = start(files);
    let dir = cache("members");
    let archive = TradeArchive::new(&base, &dir).unwrap();
    assert_eq!(std::fs::read_to_string(archive.day("BTCUSDT", date(7)).unwrap()).unwrap(), text);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_blocking_call_inside_a_runtime_is_an_error_not_a_panic() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let archive = TradeArchive::new("http://127.0.0.1:9", cache("runtime")).unwrap();
    let error = runtime.block_on(async { archive.day("BTCUSDT", date(1)).unwrap_err().to_string() });
    assert!(error.contains("_async"), "{error}");
}
