//! Exercise of the Rust implementation page: a detector of your own, in one
//! file, through the alert model: scan, threshold, calibration, alert
//! intervals and JSON lines come for free.
#![allow(dead_code, unused_variables)]

use llm_anomaly::prelude::*;
use llm_anomaly::scan::{ScanConfig, ScanInput, scan_with};

mod exercise {
    use llm_anomaly::prelude::*;

    // ANCHOR: exercise
    /// Scores a bar by how wide its high–low range is, as a z-score of
    /// `ln(range / close)` against the last `window` bars (score first,
    /// then learn). Wide bars are where crashes and spikes live.
    pub struct RangeDetector {
        // your fields: a RollingZScore over the log range
    }

    impl BarDetector for RangeDetector {
        fn process(&mut self, bar: &Bar) -> Result<Option<Scored>> {
            // 1. the feature: ln(max(high − low, a tick) / close)
            // 2. deviation before learning, then learn
            // 3. Scored::new(z, AnomalyType::PriceSpike, Evidence::feature("log_range_z", z))
            todo!()
        }
    }

    /// Builds one detector per symbol for `scan_with`.
    pub struct RangeFactory {
        pub window: usize,
    }

    impl BarDetectorFactory for RangeFactory {
        type Detector = RangeDetector;
        fn build(&self, _training: &[Bar]) -> Result<RangeDetector> {
            todo!()
        }
        fn warm_up(&self) -> usize {
            self.window
        }
        fn describe(&self) -> String {
            format!("log range z-score, window {} bars", self.window)
        }
    }
    // ANCHOR_END: exercise
}

mod solution {
    // ANCHOR: solution
    use llm_anomaly::prelude::*;

    /// The smallest range counted, relative to the close: a bar with
    /// high == low (a quiet minute, a forward-filled bar) still has a finite
    /// logarithm.
    const MIN_RELATIVE_RANGE: f64 = 1e-5;

    pub struct RangeDetector {
        z: RollingZScore,
    }

    impl BarDetector for RangeDetector {
        fn process(&mut self, bar: &Bar) -> Result<Option<Scored>> {
            let relative = ((bar.high - bar.low) / bar.close).max(MIN_RELATIVE_RANGE);
            let x = relative.ln();
            let z = self.z.deviation(x); // score first ...
            self.z.learn_one(x)?; // ... then learn
            // Only wide bars are unusual here: a narrow one scores 0.
            Ok(z.map(|z| Scored::new(z.max(0.0), AnomalyType::PriceSpike, Evidence::feature("log_range_z", z))))
        }
    }

    pub struct RangeFactory {
        pub window: usize,
    }

    impl BarDetectorFactory for RangeFactory {
        type Detector = RangeDetector;
        fn build(&self, _training: &[Bar]) -> Result<RangeDetector> {
            // A log range varies by about 1 per bar; 0.01 is the least spread counted.
            Ok(RangeDetector { z: RollingZScore::new(self.window, ScaleFloor::new(0.0, 0.01)?)? })
        }
        fn warm_up(&self) -> usize {
            self.window
        }
        fn describe(&self) -> String {
            format!("log range z-score, window {} bars", self.window)
        }
    }
    // ANCHOR_END: solution
}

fn simulated() -> (SimulatedMarket, Vec<ScanInput>) {
    let market = SimulatedMarket::generate(&SimConfig { microstructure: false, ..SimConfig::default() }).unwrap();
    let inputs = ScanInput::from_market(&market);
    (market, inputs)
}

#[test]
fn the_range_detector_reaches_alerts_calibration_and_json() {
    let (_, inputs) = simulated();
    let factory = solution::RangeFactory { window: 500 };
    let report = scan_with(&inputs, &ScanConfig::default(), &factory).unwrap();
    assert_eq!(report.detector, "log range z-score, window 500 bars");
    assert!(!report.alerts.is_empty());

    // Wide bars are rare and mostly real: on seed 42 the range alone finds
    // 2 of the 4 flash crashes in the test period with 7 alerts, and 69 % of
    // its alerted bars are labelled; it is blind to volume, so surges and
    // wash trades are left to the price/volume detector.
    let crashes = report.summary.per_pattern.iter().find(|p| p.pattern == "flash_crash").expect("flash crashes");
    assert_eq!((crashes.events, crashes.detected), (4, 2), "{crashes:?}");
    // These are the numbers the Rust-implementation page quotes.
    assert_eq!(report.summary.alerts, 7, "{:?}", report.summary);
    let (mut alerted, mut labelled) = (0, 0);
    for sym in &report.symbols {
        let labels = &sym.labels.as_ref().unwrap()[sym.test_start..];
        for (hit, &label) in sym.test_hits(report.threshold).into_iter().zip(labels) {
            alerted += usize::from(hit);
            labelled += usize::from(hit && label);
        }
    }
    assert_eq!((alerted, labelled), (13, 9));
    approx::assert_abs_diff_eq!(report.summary.precision.unwrap(), 9.0 / 13.0, epsilon = 1e-12);

    // Calibrated on the training scores: probabilities in (0, 1], rising with the peak score.
    let mut by_score: Vec<(f64, f64)> = report.alerts.iter().map(|a| (a.peak_score, a.probability.unwrap())).collect();
    by_score.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(by_score.iter().all(|&(_, p)| p > 0.5 && p <= 1.0), "alerts are above most training scores");
    assert!(by_score.windows(2).all(|w| w[0].0 == w[1].0 || w[0].1 < w[1].1 || w[1].1 == 1.0));

    // The JSON line is the one every example writes.
    let line = serde_json::to_value(&report.alerts[0]).unwrap();
    assert_eq!(line["source"], "bars");
    assert_eq!(line["type"], "price_spike");
    assert!(line["evidence"]["feature"]["value"].as_f64().unwrap() > report.threshold);
    assert!(line["explanation"].as_str().unwrap().starts_with("price_spike: log_range_z +"));
}

#[test]
fn a_flat_bar_is_scored_not_refused() {
    use solution::RangeFactory;
    let mut d = RangeFactory { window: 3 }.build(&[]).unwrap();
    let t = |i: i64| chrono::DateTime::from_timestamp(60 * i, 0).unwrap();
    let mut last = None;
    for i in 0..5 {
        let bar = Bar::new(t(i), 10.0, 10.0, 10.0, 10.0, 0.0).unwrap();
        last = d.process(&bar).unwrap();
    }
    assert_eq!(last.map(|s| s.score), Some(0.0), "a constant history gives a finite, zero score");
}
