//! What one trade costs a live monitor once it has arrived: the Bybit v5
//! `publicTrade` message parsed (one trade per message, the worst case),
//! the trade converted to the instrument's ticks and steps, and pushed
//! through the fitted manipulation detector. One simulated day of BTCUSDT,
//! as in `benches/manipulation.rs`. Run with `cargo xtask bench monitor_tick`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use llm_anomaly::bybit::StreamMessage;
use llm_anomaly::manipulation::{CryptoManipulationDetector, ManipulationConfig};
use llm_anomaly::market::{TakerSide, TradeTape};
use llm_anomaly::simulate::crypto::{CryptoSimConfig, SimulatedCrypto};

fn monitor_tick(c: &mut Criterion) {
    let config =
        CryptoSimConfig { symbols: CryptoSimConfig::default().symbols[..1].to_vec(), days: 2, ..Default::default() };
    let market = SimulatedCrypto::generate(&config).unwrap();
    let tape = &market.tapes[0];
    let instrument = tape.instrument().clone();
    let cut = config.start.timestamp() * 1_000_000 + 86_400_000_000;
    let at = tape.trades().partition_point(|t| t.time_us < cut);
    let history = TradeTape::new(instrument.clone(), tape.trades()[..at].to_vec()).unwrap();
    let fitted = CryptoManipulationDetector::fit(&history, ManipulationConfig::default()).unwrap();
    // The day's trades as the exchange sends them.
    let messages: Vec<String> = tape.trades()[at..]
        .iter()
        .map(|t| {
            let ms = t.time_us.div_euclid(1000);
            format!(
                r#"{{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":{ms},"data":[{{"T":{ms},"s":"BTCUSDT","S":"{}","v":"{}","p":"{}","L":"PlusTick","i":"{}","BT":false}}]}}"#,
                if t.taker == TakerSide::Buy { "Buy" } else { "Sell" },
                instrument.qty_step().times(t.qty),
                instrument.tick_size().times(t.price),
                t.id
            )
        })
        .collect();
    let mut group = c.benchmark_group("monitor");
    group.throughput(Throughput::Elements(messages.len() as u64));
    group.sample_size(10);
    group.bench_function("parse_convert_push", |b| {
        b.iter_batched(
            || fitted.clone(),
            |mut detector| {
                for text in &messages {
                    let Ok(StreamMessage::Trades { trades, .. }) = StreamMessage::parse(black_box(text)) else {
                        panic!("not a trade message: {text}");
                    };
                    for trade in &trades {
                        detector.push(&trade.to_tape_trade(&instrument).unwrap()).unwrap();
                    }
                }
                detector.take_alerts().len()
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, monitor_tick);
criterion_main!(benches);
