//! The streaming hot path does not touch the heap.
//!
//! A counting global allocator wraps the system one; after the warm-up (and
//! after the symbols are registered), processing ticks must not allocate at
//! all: not in the detectors, not in the alert rule, not in the monitor.
//! It counts per thread, so what the test harness's own threads do (a busy
//! CI machine once showed 4 allocations from them) does not count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use llm_anomaly::alert::{BarDetector, IntervalMerger, Source};
use llm_anomaly::data::Bar;
use llm_anomaly::detect::{AlertRule, MultiSymbolMonitor, PriceVolumeConfig, PriceVolumeDetector};

/// Counts every allocation and reallocation, per thread.
struct CountingAllocator;

thread_local! {
    // Const-initialised, without a destructor: reading it never allocates.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: a thread being torn down has no counter, and that is fine.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// A deterministic, irregular tick stream with a spike every 997 ticks.
fn tick(k: usize) -> (f64, f64) {
    let u = ((k as u64).wrapping_mul(2_654_435_761) % 1000) as f64 / 1000.0;
    let spike = if k.is_multiple_of(997) { 20.0 } else { 1.0 };
    (100.0 * (1.0 + 0.01 * (u - 0.5)), 1000.0 * (0.5 + u) * spike)
}

/// Allocations made by this thread while running `f`.
fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

// One test function, as it always was: simpler to read as one story.
#[test]
fn processing_ticks_allocates_nothing() {
    let rule = AlertRule::uniform(3.0).unwrap();

    // Every estimator and feature set used by the library's defaults.
    for config in [PriceVolumeConfig::seed_compatible(100), PriceVolumeConfig::for_bars(100)] {
        let mut zscore = PriceVolumeDetector::zscore(config).unwrap();
        let mut ewma = PriceVolumeDetector::ewma(config).unwrap();
        let mut mad = PriceVolumeDetector::mad(config).unwrap();
        let mut anomalies = 0;
        let count = allocations_in(|| {
            for k in 0..20_000 {
                let (price, volume) = tick(k);
                for score in [zscore.process(price, volume), ewma.process(price, volume), mad.process(price, volume)] {
                    if let Some(s) = score.unwrap() {
                        anomalies += usize::from(rule.classify(s).is_anomaly());
                    }
                }
            }
        });
        assert_eq!(count, 0, "{config:?}: {count} allocations in the hot path");
        assert!(anomalies > 0, "the stream has spikes: some ticks must be flagged");
    }

    // The monitor, by id and by (known) name, once symbols are registered.
    let template = PriceVolumeDetector::zscore(PriceVolumeConfig::seed_compatible(50)).unwrap();
    let mut monitor = MultiSymbolMonitor::new(template, rule);
    let names: Vec<String> = (0..64).map(|i| format!("SYM{i:02}USDT")).collect();
    let ids: Vec<_> = names.iter().map(|n| monitor.symbol_id(n)).collect();
    let mut flagged = 0;
    let count = allocations_in(|| {
        for k in 0..50_000 {
            let (price, volume) = tick(k);
            let by_id = monitor.process(ids[k % ids.len()], price, volume).unwrap();
            let (_, by_name) = monitor.process_tick(&names[(k + 7) % names.len()], price, volume).unwrap();
            flagged += by_id.into_iter().chain(by_name).filter(|d| d.is_anomaly()).count();
        }
    });
    assert_eq!(count, 0, "monitor: {count} allocations in the hot path");
    assert!(flagged > 0);

    // The alert model: bars through `BarDetector` into a merger, scored
    // with their evidence; only a closing interval may allocate (it names
    // its symbol), so the hits are merged into one open interval here.
    let mut detector = PriceVolumeDetector::zscore(PriceVolumeConfig::for_bars(100)).unwrap();
    let mut merger = IntervalMerger::new(Source::Bars, "ACME", usize::MAX);
    let t0 = chrono::DateTime::UNIX_EPOCH;
    let bars: Vec<Bar> = (0..20_000)
        .map(|k| {
            let (price, volume) = tick(k);
            Bar::new(t0 + chrono::Duration::minutes(k as i64), price, price, price, price, volume).unwrap()
        })
        .collect();
    let mut hits = 0;
    let count = allocations_in(|| {
        for bar in &bars {
            if let Some(scored) = BarDetector::process(&mut detector, bar).unwrap() {
                hits += usize::from(scored.kind_at(3.0).is_anomaly());
                assert!(merger.push(bar.timestamp, &scored, 3.0).is_none());
            }
        }
    });
    assert_eq!(count, 0, "alert model: {count} allocations in the hot path");
    assert!(hits > 0 && merger.finish().is_some_and(|a| a.hits == hits));

    // The counter works: a new symbol is registered with an allocation.
    assert!(
        allocations_in(|| {
            monitor.symbol_id("NEWSYMBOL");
        }) > 0
    );
}
