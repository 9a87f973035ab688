//! Order-book update throughput: deltas of one to three levels near the
//! touch applied to a 200-level book (`orderbook.200`), the way Bybit's
//! public stream sends them. One element is one delta message. Run with
//! `cargo xtask bench l2_book`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use llm_anomaly::market::{Instrument, InstrumentRegistry, L2Book, Level, Stamps};
use llm_anomaly::simulate::rng::SimRng;

/// Levels per side of the snapshot.
const DEPTH: i64 = 200;
/// Deltas generated (replayed in order; ids continue across passes).
const DELTAS: usize = 100_000;
/// The mid price, in ticks.
const MID: i64 = 1_000_000;

/// One delta: (bid levels, ask levels), each level within 20 ticks of the
/// touch; a quarter of them deletes.
fn deltas() -> Vec<(Vec<Level>, Vec<Level>)> {
    let mut rng = SimRng::new(11, 0);
    (0..DELTAS)
        .map(|_| {
            let mut side = |best: i64, away: i64| {
                let n = rng.int(0, 2);
                (0..n)
                    .map(|_| {
                        let price = best + away * rng.int(0, 20) as i64;
                        let size = if rng.uniform() < 0.25 { 0 } else { 1 + rng.int(0, 999) as i64 };
                        Level { price, size }
                    })
                    .collect()
            };
            (side(MID - 1, -1), side(MID + 1, 1))
        })
        .collect()
}

fn l2_book(c: &mut Criterion) {
    let mut registry = InstrumentRegistry::new();
    let id = registry.register(Instrument::new("BTCUSDT", "0.10", "0.001").unwrap());
    let bids: Vec<Level> = (1..=DEPTH).map(|i| Level { price: MID - i, size: 100 }).collect();
    let asks: Vec<Level> = (1..=DEPTH).map(|i| Level { price: MID + i, size: 100 }).collect();
    let deltas = deltas();
    let mut group = c.benchmark_group("l2_book");
    group.throughput(Throughput::Elements(DELTAS as u64));
    group.bench_function("apply_delta", |b| {
        let mut book = L2Book::new(id, "BTCUSDT");
        book.apply_snapshot(0, &bids, &asks, Stamps::default()).unwrap();
        b.iter(|| {
            for (bid, ask) in &deltas {
                let next = book.update_id() + 1;
                // A delta that would cross is refused; the bench then re-snapshots.
                if book.apply_delta(next, black_box(bid), black_box(ask), Stamps::default()).is_err() {
                    book.apply_snapshot(next, &bids, &asks, Stamps::default()).unwrap();
                }
            }
            book.best_bid()
        })
    });
    group.finish();
}

criterion_group!(benches, l2_book);
criterion_main!(benches);
