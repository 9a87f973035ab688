//! `--stream`'s scan: the same alerts as the batch scan where both apply,
//! refusals for what needs the whole file, and the flat-stretch rule.

use chrono::{Duration, TimeZone, Utc};
use llm_anomaly::data::{Bar, BarSeries, CsvRow};
use llm_anomaly::prelude::*;
use llm_anomaly::scan::{
    Estimator, MIN_FITTED_THRESHOLD, ScanConfig, ScanInput, StreamConfig, StreamScan, StreamThreshold, ThresholdChoice,
    scan,
};

fn rows(series: &BarSeries, labels: Option<&[bool]>) -> Vec<CsvRow> {
    let symbol: std::sync::Arc<str> = series.symbol().into();
    series
        .bars()
        .iter()
        .enumerate()
        .map(|(i, bar)| CsvRow { line: i as u64 + 2, symbol: symbol.clone(), bar: *bar, label: labels.map(|l| l[i]) })
        .collect()
}

fn config(threshold: StreamThreshold) -> StreamConfig {
    StreamConfig {
        window: 60,
        estimator: Estimator::ZScore,
        threshold,
        merge_gap: 3,
        threshold_floor: MIN_FITTED_THRESHOLD,
    }
}

#[test]
fn with_a_fixed_threshold_the_stream_alerts_like_the_batch_scan() {
    let market = SimulatedMarket::generate(&SimConfig { microstructure: false, ..SimConfig::default() }).unwrap();
    let series = &market.series[0];
    let batch = scan(
        &[ScanInput::unlabelled(series.clone())],
        &ScanConfig { window: 60, threshold: ThresholdChoice::Fixed(4.0), ..ScanConfig::default() },
    )
    .unwrap();
    let mut stream = StreamScan::new(config(StreamThreshold::Fixed(4.0)), "sim", false).unwrap();
    let mut alerts = Vec::new();
    for row in rows(series, None) {
        alerts.extend(stream.push(row).unwrap().closed);
    }
    let (last, summary) = stream.finish();
    alerts.extend(last);
    // The batch scan alerts in its test period only; compare from a day after the cutoff.
    let from = batch.cutoff + Duration::days(1);
    // A stream has no reference split to calibrate on: its probabilities are null.
    assert!(alerts.iter().all(|a| a.probability.is_none()));
    let uncalibrated = |a: &AlertInterval| AlertInterval { probability: None, ..a.clone() };
    let batch_alerts: Vec<_> = batch.alerts.iter().filter(|a| a.start >= from).map(uncalibrated).collect();
    let stream_alerts: Vec<_> = alerts.iter().filter(|a| a.start >= from).cloned().collect();
    assert!(batch_alerts.len() > 10, "{}", batch_alerts.len());
    assert_eq!(stream_alerts, batch_alerts);
    assert_eq!(summary.alerts, alerts.len());
    assert!(!summary.labelled && summary.precision.is_none() && summary.pr_auc.is_none());
}

#[test]
fn labelled_streams_count_events_and_never_invent_ranking_metrics() {
    let market = SimulatedMarket::generate(&SimConfig { microstructure: false, ..SimConfig::default() }).unwrap();
    let mut stream = StreamScan::new(config(StreamThreshold::RunningQuantile(0.01)), "sim", true).unwrap();
    for series in &market.series {
        let labels = market.bar_labels(series.symbol());
        for row in rows(series, Some(&labels)) {
            stream.push(row).unwrap();
        }
    }
    let (_, s) = stream.finish();
    let (events, detected) = (s.events.unwrap(), s.detected_events.unwrap());
    assert!(events >= 20 && detected <= events && detected >= events / 2, "{events} {detected}");
    assert!(s.precision.unwrap() > 0.0 && s.recall.unwrap() > 0.0);
    assert_eq!((s.pr_auc, s.roc_auc), (None, None));
    assert!(s.threshold.unwrap() >= MIN_FITTED_THRESHOLD);
}

fn bar(minute: i64, close: f64) -> Bar {
    let timestamp = Utc.timestamp_opt(1_700_000_000 + 60 * minute, 0).unwrap();
    Bar { timestamp, open: close, high: close, low: close, close, volume: 1.0 }
}

fn row(line: u64, minute: i64, close: f64) -> CsvRow {
    CsvRow { line, symbol: "X".into(), bar: bar(minute, close), label: None }
}

#[test]
fn out_of_order_rows_stop_the_stream_with_both_lines() {
    let mut stream = StreamScan::new(config(StreamThreshold::Fixed(4.0)), "f.csv", false).unwrap();
    stream.push(row(2, 0, 1.0)).unwrap();
    stream.push(row(3, 5, 1.0)).unwrap();
    let err = stream.push(row(4, 3, 1.0)).unwrap_err().to_string();
    assert!(
        err.contains("f.csv") && err.contains("line 4") && err.contains("line 3") && err.contains("time order"),
        "{err}"
    );
}

#[test]
fn repeated_times_keep_the_first_row_and_say_whether_they_differ() {
    let mut stream = StreamScan::new(config(StreamThreshold::Fixed(4.0)), "f.csv", false).unwrap();
    stream.push(row(2, 0, 1.0)).unwrap();
    stream.push(row(3, 1, 1.0)).unwrap();
    let same = stream.push(row(4, 1, 1.0)).unwrap().duplicate.unwrap();
    assert!(same.identical() && same.kept.line == 3 && same.dropped.line == 4);
    let other = stream.push(row(5, 1, 2.0)).unwrap().duplicate.unwrap();
    assert!(!other.identical() && other.kept.bar.close == 1.0 && other.dropped.bar.close == 2.0);
}

#[test]
fn a_flat_training_period_raises_the_threshold_to_the_floor_instead_of_failing() {
    // A halt: 1500 identical bars, then ordinary noise with one crash.
    let mut bars: Vec<Bar> = (0..1500).map(|i| bar(i, 100.0)).collect();
    let mut close = 100.0;
    for i in 1500..3000 {
        close *= 1.0 + 0.001 * (((i * 7919) % 13) as f64 - 6.0) / 6.0;
        if i == 2500 {
            close *= 0.9;
        }
        bars.push(bar(i, close));
    }
    let crash = bars[2500].timestamp;
    let series = BarSeries::new("HALT", bars).unwrap();
    let report = scan(&[ScanInput::unlabelled(series)], &ScanConfig { window: 60, ..ScanConfig::default() }).unwrap();
    assert_eq!(report.threshold, MIN_FITTED_THRESHOLD);
    assert!(report.threshold_source.contains("floor"), "{}", report.threshold_source);
    assert!(report.alerts.iter().any(|a| a.start <= crash && crash <= a.end), "the crash is alerted");
    // A constant file: no alerts, no error.
    let flat = BarSeries::new("FLAT", (0..500).map(|i| bar(i, 7.0)).collect()).unwrap();
    let report = scan(&[ScanInput::unlabelled(flat)], &ScanConfig { window: 60, ..ScanConfig::default() }).unwrap();
    assert!(report.alerts.is_empty());
}

/// Scores every bar with its volume, from the very first one.
struct VolumeIsTheScore;

impl BarDetector for VolumeIsTheScore {
    fn process(&mut self, bar: &Bar) -> Result<Option<Scored>> {
        let kind = llm_anomaly::alert::AnomalyType::WhaleMovement;
        Ok(Some(Scored::new(bar.volume, kind, Evidence::feature("volume", bar.volume))))
    }
}

struct VolumeFactory;

impl BarDetectorFactory for VolumeFactory {
    type Detector = VolumeIsTheScore;
    fn build(&self, _training: &[Bar]) -> Result<VolumeIsTheScore> {
        Ok(VolumeIsTheScore)
    }
    fn warm_up(&self) -> usize {
        0
    }
    fn describe(&self) -> String {
        "volume".into()
    }
}

#[test]
fn any_streaming_detector_is_scored_from_its_first_bar() {
    let t0 = Utc.with_ymd_and_hms(2025, 1, 6, 14, 30, 0).unwrap();
    let volumes = [900.0, 10.0, 10.0, 10.0, 10.0, 10.0, 800.0, 10.0];
    let bars: Vec<Bar> = volumes
        .iter()
        .enumerate()
        .map(|(i, &v)| Bar::new(t0 + Duration::minutes(i as i64), 10.0, 10.0, 10.0, 10.0, v).unwrap())
        .collect();
    let series = BarSeries::new("WHALE", bars).unwrap();
    let mut scan =
        StreamScan::with_factory(config(StreamThreshold::Fixed(100.0)), VolumeFactory, "sim", false).unwrap();
    let mut alerts = Vec::new();
    for row in rows(&series, None) {
        alerts.extend(scan.push(row).unwrap().closed);
    }
    alerts.extend(scan.finish().0);
    let found: Vec<_> = alerts.iter().map(|a| (a.start, a.kind.name(), a.peak_score)).collect();
    assert_eq!(found, [(t0, "whale_movement", 900.0), (t0 + Duration::minutes(6), "whale_movement", 800.0)]);
}
