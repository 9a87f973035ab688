//! The alert model end to end: a fitted (batch) detector through
//! `scan_with`, calibration on the training split only, and explained
//! alerts that stay in the list.

use std::cell::RefCell;

use llm_anomaly::alert::{AnomalyType, Evidence, Explained, Source};
use llm_anomaly::prelude::*;
use llm_anomaly::scan::{ScanConfig, ScanInput, ThresholdChoice, scan, scan_with};

/// Fitted on the training bars: the median and MAD of the log returns.
/// Only the fitted type scores, and it learns nothing while scoring.
struct FittedReturns {
    median: f64,
    mad: f64,
    previous_close: Option<f64>,
}

impl BarDetector for FittedReturns {
    fn process(&mut self, bar: &Bar) -> Result<Option<Scored>> {
        let scored = self.previous_close.map(|p| {
            let z = ((bar.close / p).ln() - self.median) / self.mad;
            Scored::new(z.abs(), AnomalyType::PriceSpike, Evidence::feature("return_robust_z", z))
        });
        self.previous_close = Some(bar.close);
        Ok(scored)
    }

    /// After a night or a weekend, measure the first return from the open.
    fn new_session(&mut self, first_bar: &Bar) -> Result<()> {
        self.previous_close = Some(first_bar.open);
        Ok(())
    }
}

/// Records how many bars each fit saw, so the test can check that only the
/// training period was used.
#[derive(Default)]
struct ReturnModel {
    fitted_on: RefCell<Vec<usize>>,
}

impl BarDetectorFactory for ReturnModel {
    type Detector = FittedReturns;

    fn build(&self, training: &[Bar]) -> Result<FittedReturns> {
        self.fitted_on.borrow_mut().push(training.len());
        let mut returns: Vec<f64> = training.windows(2).map(|w| (w[1].close / w[0].close).ln()).collect();
        if returns.len() < 10 {
            return Err(Error::param("training bars", training.len(), "need at least 11 to fit"));
        }
        returns.sort_by(f64::total_cmp);
        let median = returns[returns.len() / 2];
        let mut deviations: Vec<f64> = returns.iter().map(|r| (r - median).abs()).collect();
        deviations.sort_by(f64::total_cmp);
        let mad = (1.4826 * deviations[deviations.len() / 2]).max(1e-6);
        Ok(FittedReturns { median, mad, previous_close: None })
    }

    fn warm_up(&self) -> usize {
        1
    }

    fn describe(&self) -> String {
        "robust z of the log return, fitted on the training period".into()
    }
}

fn market() -> Vec<ScanInput> {
    let m = SimulatedMarket::generate(&SimConfig { microstructure: false, ..SimConfig::default() }).unwrap();
    ScanInput::from_market(&m)
}

#[test]
fn a_fitted_detector_sees_only_the_training_bars_and_reaches_alerts() {
    let inputs = market();
    let model = ReturnModel::default();
    let report = scan_with(&inputs, &ScanConfig::default(), &model).unwrap();
    let fitted_on = model.fitted_on.borrow().clone();
    let expected: Vec<usize> = report.symbols.iter().map(|s| s.test_start).collect();
    assert_eq!(fitted_on, expected, "each symbol was fitted on exactly its training bars");
    assert!(expected.iter().all(|&n| n > 1000));
    let crashes = report.summary.per_pattern.iter().find(|p| p.pattern == "flash_crash").unwrap();
    assert_eq!(crashes.detected, crashes.events, "{crashes:?}");
    assert!(report.alerts.iter().all(|a| a.source == Source::Bars && a.probability.is_some()));
}

#[test]
fn the_calibrator_is_fitted_on_training_scores_only() {
    let inputs = market();
    let report = scan(&inputs, &ScanConfig::default()).unwrap();
    let training: usize =
        report.symbols.iter().map(|s| s.scores[..s.test_start].iter().filter(|x| x.is_some()).count()).sum();
    let calibrator = report.calibrator.as_ref().unwrap();
    assert_eq!(calibrator.reference_len(), training);
    // Every alert is above the threshold, which is at least the 99th
    // percentile of the training scores: its probability is at least 0.99.
    assert!(report.alerts.iter().all(|a| a.probability.unwrap() >= 0.99), "{:?}", report.alerts[0]);
    // Probabilities follow the peak scores.
    let mut alerts: Vec<_> = report.alerts.iter().collect();
    alerts.sort_by(|a, b| a.peak_score.total_cmp(&b.peak_score));
    assert!(alerts.windows(2).all(|w| w[0].probability <= w[1].probability));
}

#[test]
fn an_explained_alert_is_kept_and_says_why() {
    let inputs = market();
    let mut report =
        scan(&inputs, &ScanConfig { threshold: ThresholdChoice::Fixed(8.0), ..ScanConfig::default() }).unwrap();
    let before = report.alerts.len();
    let first = &mut report.alerts[0];
    first.mark_explained(Explained {
        source: Source::Text,
        reason: "earnings headline one minute earlier".into(),
        evidence: Evidence::feature("minutes_after_headline", 1.0),
    });
    assert_eq!(report.alerts.len(), before, "explaining never deletes");
    let line = serde_json::to_value(&report.alerts[0]).unwrap();
    assert_eq!(line["explained"], true);
    assert_eq!(line["explained_by"]["reason"], "earnings headline one minute earlier");
    assert_eq!(serde_json::to_value(&report.alerts[1]).unwrap()["explained"], false);
}

#[test]
fn a_target_false_positive_rate_is_met_on_normal_bars_of_the_test_period() {
    let inputs = market();
    let config = ScanConfig {
        threshold: ThresholdChoice::TargetFalsePositiveRate(0.01),
        threshold_floor: 0.1,
        ..ScanConfig::default()
    };
    let report = scan(&inputs, &config).unwrap();
    assert!(report.threshold_source.contains("training scores of bars labelled normal"), "{}", report.threshold_source);
    let (mut normal, mut false_alarms) = (0usize, 0usize);
    for s in &report.symbols {
        let labels = &s.labels.as_ref().unwrap()[s.test_start..];
        for (&label, hit) in labels.iter().zip(s.test_hits(report.threshold)) {
            if !label {
                normal += 1;
                false_alarms += usize::from(hit);
            }
        }
    }
    let realised = false_alarms as f64 / normal as f64;
    assert!((0.003..0.03).contains(&realised), "realised false-positive rate {realised}");

    // Without labels there is nothing to fit it on: a clear error, not a guess.
    let unlabelled: Vec<ScanInput> = inputs.iter().map(|i| ScanInput::unlabelled(i.series.clone())).collect();
    let e = scan(&unlabelled, &config).unwrap_err().to_string();
    assert!(e.contains("`threshold`") && e.contains("needs labels"), "{e}");
    let bad = ScanConfig { threshold: ThresholdChoice::TargetFalsePositiveRate(0.9), ..config };
    assert!(scan(&inputs, &bad).unwrap_err().to_string().contains("`fpr`"));
}

/// Scores every bar 1, except the bar at `bad` which gets NaN.
struct BrokenDetector {
    seen: usize,
    bad: usize,
}

impl BarDetector for BrokenDetector {
    fn process(&mut self, _bar: &Bar) -> Result<Option<Scored>> {
        self.seen += 1;
        let score = if self.seen == self.bad + 1 { f64::NAN } else { 1.0 };
        Ok(Some(Scored::new(score, AnomalyType::PriceSpike, Evidence::feature("broken", score))))
    }
}

struct BrokenFactory;

impl BarDetectorFactory for BrokenFactory {
    type Detector = BrokenDetector;
    fn build(&self, _training: &[Bar]) -> Result<BrokenDetector> {
        Ok(BrokenDetector { seen: 0, bad: 100 })
    }
    fn warm_up(&self) -> usize {
        0
    }
    fn describe(&self) -> String {
        "NaN at bar 100".into()
    }
}

#[test]
fn a_detector_that_returns_nan_stops_the_scan_with_the_symbol_and_the_bar() {
    let inputs = market();
    let e = scan_with(&inputs, &ScanConfig::default(), &BrokenFactory).unwrap_err().to_string();
    let bar = inputs[0].series.bars()[100].timestamp;
    let symbol = inputs[0].series.symbol();
    assert!(e.contains("`score` at row 100") && e.contains("NaN"), "{e}");
    assert!(e.contains(symbol) && e.contains(&bar.to_string()), "{e}");
}
