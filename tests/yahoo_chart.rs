//! The Yahoo chart client against a local server on 127.0.0.1 answering in
//! the chart API's format: daily bars with `null` rows (reported, never
//! zeroed) and adjusted closes, intraday bars with a repeated last time,
//! the API's own error for an unknown symbol, 429 with `Retry-After` then
//! success, 5xx until the retries run out, arrays of different lengths,
//! a cut-short answer, and bad parameters refused before sending.

mod local_http;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use chrono::TimeZone;
use llm_anomaly::bybit::{Jitter, RetryPolicy};
use llm_anomaly::yahoo::{Chart, ChartInterval, ChartSpan, YahooClient, YahooConfig, YahooError};
use serde_json::{Value, json};

/// One answer: status, extra headers, body.
type Answer = (u16, Vec<(&'static str, String)>, String);

/// One chart row: unix seconds, open, high, low, close, volume, adjclose.
type Row = (i64, Value, Value, Value, Value, Value, Value);

/// Answers per path (in turn, the last one repeating), the requests seen.
#[derive(Clone, Default)]
struct Server {
    answers: Arc<Mutex<HashMap<String, Vec<Answer>>>>,
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

async fn answer(State(server): State<Server>, uri: Uri, headers: HeaderMap) -> (StatusCode, HeaderMap, String) {
    let path = uri.path().to_string();
    let agent = headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let n = {
        let mut seen = server.seen.lock().unwrap();
        seen.push((uri.to_string(), agent));
        seen.iter().filter(|(u, _)| u.starts_with(&path)).count()
    };
    let answers = server.answers.lock().unwrap();
    let Some(list) = answers.get(&path) else {
        return (StatusCode::NOT_FOUND, HeaderMap::new(), "no such path".into());
    };
    let (status, extra, body) = list[(n - 1).min(list.len() - 1)].clone();
    let mut out = HeaderMap::new();
    for (name, value) in extra {
        out.insert(name, value.parse().unwrap());
    }
    (StatusCode::from_u16(status).unwrap(), out, body)
}

fn start(server: Server) -> String {
    local_http::serve(Router::new().fallback(answer).with_state(server))
}

fn client(base: &str) -> YahooClient {
    let config = YahooConfig {
        base_url: base.into(),
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(2),
        },
        ..YahooConfig::default()
    };
    YahooClient::new(config).unwrap().with_jitter(Jitter::seeded(1))
}

/// A chart answer: `rows` of (unix s, open, high, low, close, volume, adjclose).
fn chart(symbol: &str, granularity: &str, rows: &[Row]) -> String {
    let col = |k: usize| -> Vec<Value> {
        rows.iter()
            .map(|r| match k {
                1 => r.1.clone(),
                2 => r.2.clone(),
                3 => r.3.clone(),
                4 => r.4.clone(),
                5 => r.5.clone(),
                _ => r.6.clone(),
            })
            .collect()
    };
    json!({"chart": {"result": [{
        "meta": {"currency": "USD", "symbol": symbol, "exchangeName": "NMS", "instrumentType": "EQUITY",
                 "gmtoffset": -18000, "timezone": "EST", "exchangeTimezoneName": "America/New_York",
                 "dataGranularity": granularity, "range": "1mo"},
        "timestamp": rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "indicators": {"quote": [{"open": col(1), "high": col(2), "low": col(3), "close": col(4), "volume": col(5)}],
                       "adjclose": [{"adjclose": col(6)}]}
    }], "error": null}})
    .to_string()
}

fn row(t: i64, c: f64, v: Value) -> Row {
    (t, json!(c - 0.5), json!(c + 1.0), json!(c - 1.0), json!(c), v, json!(c * 0.99))
}

const DAY: i64 = 86_400;
const JAN2: i64 = 1_704_153_600; // 2024-01-02 00:00 UTC

#[test]
fn daily_bars_with_null_rows_reported_not_zeroed() {
    let server = Server::default();
    let mut rows = vec![row(JAN2, 100.0, json!(1_000_000)), row(JAN2 + DAY, 101.0, json!(900_000))];
    // A holiday row with null prices, then a row with only the volume missing.
    rows.push((JAN2 + 2 * DAY, Value::Null, Value::Null, Value::Null, Value::Null, Value::Null, Value::Null));
    rows.push(row(JAN2 + 3 * DAY, 102.0, Value::Null));
    rows.push(row(JAN2 + 4 * DAY, 103.0, json!(0)));
    let body = chart("AAPL", "1d", &rows);
    server.answers.lock().unwrap().insert("/v8/finance/chart/AAPL".into(), vec![(200, vec![], body)]);
    let base = start(server.clone());
    let chart = client(&base).chart("AAPL", ChartInterval::Day1, ChartSpan::Range("1mo".into())).unwrap();
    assert_eq!(chart.symbol, "AAPL");
    assert_eq!(chart.exchange_timezone.as_deref(), Some("America/New_York"));
    assert_eq!(chart.utc_offset_s, -18_000);
    let closes: Vec<f64> = chart.bars.iter().map(|b| b.close).collect();
    assert_eq!(closes, [100.0, 101.0, 103.0], "rows with nulls are not bars");
    assert_eq!(chart.bars[2].volume, 0.0, "a real zero volume stays");
    assert_eq!(chart.adj_close.as_deref(), Some(&[99.0, 99.99, 101.97][..]));
    let missing: Vec<(usize, &str)> = chart.missing.iter().map(|m| (m.index, m.problem.as_str())).collect();
    assert_eq!(missing, [(2, "null open, high, low, close, volume, adjclose"), (3, "null volume")]);
    assert_eq!(chart.missing[1].timestamp, chrono::Utc.timestamp_opt(JAN2 + 3 * DAY, 0).unwrap());
    let seen = server.seen.lock().unwrap();
    assert!(seen[0].0.contains("interval=1d") && seen[0].0.contains("range=1mo"), "{}", seen[0].0);
    assert!(seen[0].1.starts_with("Mozilla/5.0"), "a browser-like User-Agent: {}", seen[0].1);
}

#[test]
fn intraday_periods_index_symbols_and_a_repeated_last_bar() {
    let server = Server::default();
    let t0 = JAN2 + 14 * 3600 + 30 * 60;
    let rows = vec![row(t0, 4700.0, json!(0)), row(t0 + 300, 4701.0, json!(0)), row(t0 + 300, 4702.0, json!(0))];
    let body = chart("^GSPC", "5m", &rows);
    server.answers.lock().unwrap().insert("/v8/finance/chart/%5EGSPC".into(), vec![(200, vec![], body)]);
    let base = start(server.clone());
    let start_t = chrono::Utc.timestamp_opt(t0, 0).unwrap();
    let span = ChartSpan::Period { start: start_t, end: start_t + chrono::TimeDelta::hours(1) };
    let chart = client(&base).chart("^GSPC", ChartInterval::parse("5m").unwrap(), span).unwrap();
    assert_eq!(chart.bars.len(), 2);
    assert_eq!(chart.missing.len(), 1);
    assert!(chart.missing[0].problem.contains("not after the row before"), "{:?}", chart.missing);
    let url = &server.seen.lock().unwrap()[0].0;
    assert!(url.contains(&format!("period1={t0}&period2={}", t0 + 3600)) && url.contains("interval=5m"), "{url}");
}

#[test]
fn api_errors_rate_limits_and_server_faults() {
    let server = Server::default();
    let not_found = json!({"chart": {"result": null, "error": {"code": "Not Found",
        "description": "No data found, symbol may be delisted"}}})
    .to_string();
    let good = chart("MSFT", "1d", &[row(JAN2, 370.0, json!(20_000_000)), row(JAN2 + DAY, 371.0, json!(1))]);
    {
        let mut answers = server.answers.lock().unwrap();
        answers.insert("/v8/finance/chart/NOPE".into(), vec![(404, vec![], not_found)]);
        answers.insert(
            "/v8/finance/chart/MSFT".into(),
            vec![(429, vec![("retry-after", "0".into())], "Too Many Requests".into()), (200, vec![], good)],
        );
        answers.insert("/v8/finance/chart/DOWN".into(), vec![(503, vec![], "busy".into())]);
    }
    let base = start(server.clone());
    let c = client(&base);
    let span = || ChartSpan::Range("5d".into());
    match c.chart("NOPE", ChartInterval::Day1, span()).unwrap_err() {
        YahooError::Api { code, description, .. } => {
            assert_eq!(code, "Not Found");
            assert!(description.contains("delisted"));
        }
        other => panic!("expected the API's error, got {other:?}"),
    }
    assert_eq!(c.chart("MSFT", ChartInterval::Day1, span()).unwrap().bars.len(), 2, "429 waited out, then read");
    let e = c.chart("DOWN", ChartInterval::Day1, span()).unwrap_err();
    assert!(matches!(e, YahooError::RetriesExhausted { attempts: 3, .. }), "{e:?}");
    let seen = server.seen.lock().unwrap();
    assert_eq!(seen.iter().filter(|(u, _)| u.contains("/NOPE")).count(), 1, "a 404 is not retried");
    assert_eq!(seen.iter().filter(|(u, _)| u.contains("/MSFT")).count(), 2);
}

#[test]
fn malformed_answers_and_bad_parameters_are_errors_naming_them() {
    let url = "http://x/v8/finance/chart/AAPL";
    let mut short = serde_json::from_str::<Value>(&chart("AAPL", "1d", &[row(JAN2, 1.0, json!(1))])).unwrap();
    short["chart"]["result"][0]["indicators"]["quote"][0]["close"] = json!([]);
    let e = Chart::parse(&short.to_string(), url).unwrap_err().to_string();
    assert!(e.contains("`indicators.quote[0].close` has 0 values, `timestamp` has 1"), "{e}");
    let e = Chart::parse("{\"chart\": {\"result\": [{\"meta\"", url).unwrap_err().to_string();
    assert!(e.contains("not a chart answer"), "{e}");
    let all_null =
        chart("AAPL", "1d", &[(JAN2, Value::Null, Value::Null, Value::Null, Value::Null, Value::Null, Value::Null)]);
    let e = Chart::parse(&all_null, url).unwrap_err().to_string();
    assert!(e.contains("no complete row among 1"), "{e}");

    let c = client("http://127.0.0.1:9");
    let e = c.chart("AAPL; rm", ChartInterval::Day1, ChartSpan::Range("1y".into())).unwrap_err().to_string();
    assert!(e.contains("symbol"), "{e}");
    let e = c.chart("AAPL", ChartInterval::Day1, ChartSpan::Range("7y".into())).unwrap_err().to_string();
    assert!(e.contains("range") && e.contains("ytd"), "{e}");
    assert!(ChartInterval::parse("2h").unwrap_err().to_string().contains("interval"));
    assert_eq!(ChartInterval::parse("1h").unwrap(), ChartInterval::Minute60);
    assert!(
        YahooClient::new(YahooConfig { base_url: "query1.finance.yahoo.com".into(), ..YahooConfig::default() })
            .is_err()
    );
}
