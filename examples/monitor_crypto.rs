//! Real-time crypto manipulation monitor over Bybit's public WebSocket.
//!
//! By default it runs offline: the simulator's trades of the second day
//! are replayed through a local server that speaks Bybit v5's
//! `publicTrade` stream, faster than real time, and the monitor connects
//! to it with the same client it uses on the exchange. Alerts are printed
//! the moment they open and again when they close; on the replay, the
//! simulator's labels are printed as their episodes begin, so you can see
//! how far behind the market the monitor is.
//!
//! ```text
//! cargo run --release --example monitor_crypto                         # replay, seed 11, BTCUSDT, 20x
//! cargo run --release --example monitor_crypto -- --speed 60 --replay-minutes 20 --json
//! cargo run --release --example monitor_crypto -- --live --fit-minutes 60             # Bybit mainnet
//! cargo run --release --example monitor_crypto -- --live --fit BTCUSDT2024-03-01.csv  # fit on an archive
//! ```
//!
//! `--live` connects to `wss://stream.bybit.com/v5/public/<category>`,
//! reads the instrument's tick size and quantity step from the REST API,
//! and fits the detector either on a downloaded trade tape (`--fit`) or on
//! the first `--fit-minutes` of the live trades. Ctrl-C stops it cleanly
//! (the open alerts are closed and the summary printed); so does
//! `--duration`.
extern crate chrono;
extern crate clap;
extern crate llm_anomaly;
extern crate serde_json;
extern crate tokio;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::Parser;
use llm_anomaly::alert::{AlertInterval, AnomalyType};
use llm_anomaly::bybit::{
    BybitClient, BybitConfig, BybitStream, Category, PublicTrade, ReplayClock, ReplayServer, StreamConfig, StreamEvent,
    Topic,
};
use llm_anomaly::eval::{average_precision, roc_auc};
use llm_anomaly::manipulation::{
    CryptoManipulationDetector, Episode, ManipulationConfig, PATTERNS, SymbolRun, any_pattern_scores, evaluate,
    is_true_alert,
};
use llm_anomaly::market::{Instrument, TapeFile, TapeTrade, TradeTape};
use llm_anomaly::simulate::crypto::{CryptoSimConfig, SimulatedCrypto};

type BoxError = Box<dyn std::error::Error>;

/// Flags of monitor_crypto.
#[derive(Parser, Debug)]
#[command(about = "Real-time crypto manipulation alerts over Bybit's public WebSocket (offline replay by default)")]
struct Args {
    /// Symbols to watch, comma-separated (replay: BTCUSDT, ETHUSDT, SOLUSDT, XYZBTC).
    #[arg(long, value_delimiter = ',', default_value = "BTCUSDT")]
    symbol: Vec<String>,
    /// Watch Bybit mainnet instead of the replay.
    #[arg(long)]
    live: bool,
    /// Live: the market category (spot, linear or inverse).
    #[arg(long, default_value = "spot", requires = "live")]
    category: String,
    /// Live: fit on this trade tape (plain, Binance aggTrades or Bybit archive) instead of warming up.
    #[arg(long, requires = "live")]
    fit: Option<PathBuf>,
    /// Live: minutes of live trades to fit on before alerting (without --fit).
    #[arg(long, default_value_t = 60, requires = "live")]
    fit_minutes: u32,
    /// Replay: simulator seed (the detector's defaults were not chosen on seed 11).
    #[arg(long, default_value_t = 11)]
    seed: u64,
    /// Replay: simulated days (the same market as example 03 with the same seed and days).
    #[arg(long, default_value_t = 8)]
    days: usize,
    /// Replay: start two minutes before the first episode of this type after day 1
    /// (pump_and_dump, flash_crash, wash_trading, whale_movement or any).
    #[arg(long, default_value = "pump_and_dump")]
    episode: String,
    /// Replay: feed time per wall-clock time.
    #[arg(long, default_value_t = 20.0)]
    speed: f64,
    /// Replay: minutes of feed time to replay.
    #[arg(long, default_value_t = 30)]
    replay_minutes: u32,
    /// Stop after this many wall-clock seconds.
    #[arg(long)]
    duration: Option<f64>,
    /// One JSON object per closed alert on stdout, then a summary line; text goes to stderr.
    #[arg(long)]
    json: bool,
    /// Leave the wall-clock measurements (latency) out, for output that repeats exactly.
    #[arg(long)]
    no_timings: bool,
}

/// One watched symbol.
struct Watched {
    instrument: Instrument,
    detector: CryptoManipulationDetector,
    /// The open alerts already reported, per pattern.
    reported: [Option<DateTime<Utc>>; 4],
    /// Replay: the labelled episodes in the replayed window, and how many have begun.
    episodes: Vec<Episode>,
    begun: usize,
    alerts: Vec<AlertInterval>,
    trades: u64,
    late: u64,
    last_us: i64,
    /// The first trade scored, µs.
    first_us: Option<i64>,
    /// Live: `resume_at` was called at the first trade (the history ended
    /// some time before the feed starts). The replay starts where its
    /// history ends and needs none.
    resumed: bool,
}

/// Where the feed time comes from.
enum Clock {
    /// The replay: time moves only with the trades handled, so what is
    /// printed does not depend on how fast this machine runs; quiet
    /// seconds close when the next trade arrives.
    Replay { replay: ReplayClock, seen_us: i64 },
    /// Bybit: the exchange's time, read off the newest trade time seen
    /// plus the wall time since (a local clock that runs ahead of the
    /// exchange must not close seconds whose trades are still coming).
    Live { anchor: Option<(i64, Instant)> },
}

impl Clock {
    /// The feed time now, µs.
    fn now_us(&self) -> i64 {
        match self {
            Self::Replay { seen_us, .. } => *seen_us,
            Self::Live { anchor: Some((exchange_us, at)) } => exchange_us + at.elapsed().as_micros() as i64,
            Self::Live { anchor: None } => Utc::now().timestamp_micros(),
        }
    }

    /// A trade with exchange time `time_us` was handled.
    fn saw(&mut self, time_us: i64) {
        match self {
            Self::Replay { seen_us, .. } => *seen_us = (*seen_us).max(time_us),
            Self::Live { anchor } => {
                if anchor.is_none_or(|(us, at)| time_us > us + at.elapsed().as_micros() as i64) {
                    *anchor = Some((time_us, Instant::now()));
                }
            }
        }
    }

    /// Wall time per feed time (the replay's speed; 1 live).
    fn speed(&self) -> f64 {
        match self {
            Self::Replay { replay, .. } => replay.speed(),
            Self::Live { .. } => 1.0,
        }
    }
}

/// Live: how far behind the exchange's time a quiet second is closed
/// without waiting for its next print.
const GRACE_US: i64 = 2_000_000;

/// What the monitor measured, for the summary.
#[derive(Default)]
struct Tally {
    connections: u32,
    disconnects: u32,
    gaps: u32,
    unreadable: u64,
    off_grid: u64,
    /// Wall-clock ns per trade of each message, push and report included.
    handle_ns: Recent,
    /// Wall time from a message's last trade time to the end of its handling, ms.
    delay_ms: Recent,
}

/// The latest [`Recent::KEPT`] measurements, for percentiles that stay
/// current and memory that stays fixed on a run of weeks.
#[derive(Default)]
struct Recent {
    values: Vec<f64>,
    next: usize,
}

impl Recent {
    const KEPT: usize = 100_000;

    fn push(&mut self, value: f64) {
        if self.values.len() < Self::KEPT {
            self.values.push(value);
        } else {
            self.values[self.next] = value;
        }
        self.next = (self.next + 1) % Self::KEPT;
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), BoxError> {
    if let Some(d) = args.duration
        && !(d.is_finite() && d >= 0.0)
    {
        return Err(format!("--duration {d}: seconds, a finite number >= 0").into());
    }
    if args.replay_minutes == 0 {
        return Err("--replay-minutes 0: replay at least one minute".into());
    }
    let say = |line: String| if args.json { eprintln!("{line}") } else { println!("{line}") };
    say("monitor_crypto: manipulation alerts as they happen, over Bybit's public WebSocket".into());
    if args.live { live(args, &say).await } else { replay(args, &say).await }
}

/// The offline default: day 2 of the simulator through a local replay server.
async fn replay(args: &Args, say: &dyn Fn(String)) -> Result<(), BoxError> {
    let config = CryptoSimConfig { seed: args.seed, days: args.days, ..Default::default() };
    let market = SimulatedCrypto::generate(&config)?;
    let day2 = config.start.timestamp_micros() + 86_400_000_000;
    let mut picked = Vec::new();
    for symbol in &args.symbol {
        let k = market.tapes.iter().position(|t| t.instrument().symbol() == symbol).ok_or_else(|| {
            let known: Vec<&str> = market.tapes.iter().map(|t| t.instrument().symbol()).collect();
            format!("--symbol {symbol}: the simulator has {}", known.join(", "))
        })?;
        picked.push(k);
    }
    // ANCHOR: replay_window
    // From two minutes before the first labelled episode of the chosen type
    // after day 1 on the watched symbols; the detector is fitted on
    // everything before it.
    let wanted = |kind: AnomalyType| args.episode == "any" || args.episode == kind.name();
    if !(args.episode == "any" || PATTERNS.iter().any(|k| k.name() == args.episode)) {
        return Err(format!(
            "--episode {}: expected pump_and_dump, flash_crash, wash_trading, whale_movement or any",
            args.episode
        )
        .into());
    }
    let first = market
        .labels
        .iter()
        .filter(|l| picked.contains(&l.symbol) && l.start_us >= day2 && wanted(l.kind))
        .map(|l| l.start_us)
        .min();
    // A whole second, so that the history's last second is closed before it.
    let from_us = first.map_or(day2, |start| (start - 120_000_000).max(day2)).div_euclid(1_000_000) * 1_000_000;
    let until_us = from_us + i64::from(args.replay_minutes) * 60_000_000;
    // ANCHOR_END: replay_window
    let mut watched = Vec::new();
    let mut tapes = Vec::new();
    for &k in &picked {
        let tape = &market.tapes[k];
        let at = tape.trades().partition_point(|t| t.time_us < from_us);
        let history = TradeTape::new(tape.instrument().clone(), tape.trades()[..at].to_vec())?;
        let episodes = market
            .labels_of(k)
            .filter(|l| l.start_us >= from_us && l.start_us < until_us)
            .map(|l| Episode { kind: l.kind, start_us: l.start_us, end_us: l.end_us })
            .collect();
        watched.push(fitted(&history, episodes, true)?);
        tapes.push(tape.clone());
    }
    say(format!(
        "feed:       replay of simulator seed {} through a local server on 127.0.0.1 (Bybit v5 publicTrade messages), \
         {} to {} UTC at {}x",
        args.seed,
        clock_time(from_us),
        clock_time(until_us),
        args.speed
    ));
    describe(&watched, say);
    let server = ReplayServer::start(tapes, from_us, until_us, args.speed).await?;
    let topics = args.symbol.iter().map(|s| Topic::trades(s)).collect();
    let stream = StreamConfig::at(server.url(), Category::Spot, topics);
    let clock = Clock::Replay { replay: server.clock(), seen_us: from_us };
    let summary = monitor(args, stream, clock, &mut watched, Some(until_us), say).await?;
    finish(args, &watched, summary, "replay", true, say)
}

/// Bybit mainnet: instruments from REST, fitted on a file or a warm-up.
async fn live(args: &Args, say: &dyn Fn(String)) -> Result<(), BoxError> {
    let category = match args.category.as_str() {
        "spot" => Category::Spot,
        "linear" => Category::Linear,
        "inverse" => Category::Inverse,
        other => return Err(format!("--category {other:?}: expected spot, linear or inverse").into()),
    };
    if args.fit.is_some() && args.symbol.len() != 1 {
        return Err("--fit takes one symbol's tape: watch one --symbol with it".into());
    }
    let client = BybitClient::new(BybitConfig::mainnet())?;
    let mut instruments = Vec::new();
    for symbol in &args.symbol {
        instruments.push(client.instrument_async(category, symbol).await?);
    }
    let topics: Vec<Topic> = args.symbol.iter().map(|s| Topic::trades(s)).collect();
    let config = StreamConfig::mainnet(category, topics);
    say(format!("feed:       Bybit mainnet {} ({category})", config.url));
    if args.fit.is_some() && category == Category::Spot {
        say("note:       Bybit's public trade archive (public.bybit.com/trading) is of derivatives; \
             fitting on it for a spot pair mixes two markets (use --category linear with it)"
            .into());
    }
    let mut watched = match &args.fit {
        Some(path) => {
            let loaded = TapeFile::read(path, Some(&args.symbol[0]))?;
            say(format!("fit:        on {} ({}, {} trades)", path.display(), loaded.format, loaded.tape.len()));
            let tape = TradeTape::new(instruments[0].clone(), retick(&loaded.tape, &instruments[0])?)?;
            vec![fitted(&tape, Vec::new(), false)?]
        }
        None => warm_up(args, &config, &instruments, say).await?,
    };
    describe(&watched, say);
    let summary = monitor(args, config, Clock::Live { anchor: None }, &mut watched, None, say).await?;
    finish(args, &watched, summary, "Bybit mainnet", false, say)
}

/// A tape read from a file, in the exchange instrument's ticks and steps.
fn retick(tape: &TradeTape, instrument: &Instrument) -> Result<Vec<TapeTrade>, BoxError> {
    let (from, to) = (tape.instrument(), instrument);
    let mut trades = Vec::with_capacity(tape.len());
    for t in tape.trades() {
        let price = from.tick_size().times(t.price).steps_of(to.tick_size(), "price")?;
        let qty = from.qty_step().times(t.qty).steps_of(to.qty_step(), "qty")?;
        trades.push(TapeTrade { price, qty, ..*t });
    }
    Ok(trades)
}

/// Live without --fit: the first `--fit-minutes` of trades are the history.
async fn warm_up(
    args: &Args,
    config: &StreamConfig,
    instruments: &[Instrument],
    say: &dyn Fn(String),
) -> Result<Vec<Watched>, BoxError> {
    say(format!("fit:        warming up on {} minutes of live trades (Ctrl-C to give up)", args.fit_minutes));
    let (stream, mut events) = BybitStream::spawn(config.clone())?;
    let mut histories: Vec<Vec<TapeTrade>> = vec![Vec::new(); instruments.len()];
    let until = Instant::now() + Duration::from_secs(u64::from(args.fit_minutes) * 60);
    let mut progress = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(StreamEvent::Trades { symbol, trades, .. }) => {
                    if let Some(k) = args.symbol.iter().position(|s| *s == symbol) {
                        for trade in &trades {
                            if let Ok(t) = trade.to_tape_trade(&instruments[k])
                                && histories[k].last().is_none_or(|last| last.time_us <= t.time_us)
                            {
                                histories[k].push(t);
                            }
                        }
                    }
                }
                Some(StreamEvent::Stopped { reason }) => return Err(format!("the stream stopped during the warm-up: {reason}").into()),
                Some(other) => say(format!("            {}", describe_event(&other))),
                None => return Err("the stream ended during the warm-up".into()),
            },
            _ = progress.tick() => {
                let counts: Vec<String> = args.symbol.iter().zip(&histories).map(|(s, h)| format!("{s} {}", h.len())).collect();
                say(format!("            warm-up: {} trades so far", counts.join(", ")));
            }
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(until)) => break,
            _ = tokio::signal::ctrl_c() => return Err("interrupted during the warm-up".into()),
        }
    }
    stream.stop();
    stream.join().await;
    let mut watched = Vec::new();
    for (instrument, trades) in instruments.iter().zip(histories) {
        let tape = TradeTape::new(instrument.clone(), trades)
            .map_err(|e| format!("{}: no usable warm-up trades ({e})", instrument.symbol()))?;
        watched.push(fitted(&tape, Vec::new(), false)?);
    }
    Ok(watched)
}

/// `resumed`: `true` on the replay, whose feed starts where its history
/// ends and whose labels are judged (its per-second scores are kept for
/// that); live, the windows restart at the first trade and nothing grows
/// with the time watched but the list of closed alerts.
fn fitted(history: &TradeTape, episodes: Vec<Episode>, resumed: bool) -> Result<Watched, BoxError> {
    let mut detector = CryptoManipulationDetector::fit(history, ManipulationConfig::default())?;
    if resumed {
        detector.record_scores();
    }
    Ok(Watched {
        instrument: history.instrument().clone(),
        detector,
        reported: [None; 4],
        episodes,
        begun: 0,
        alerts: Vec::new(),
        trades: 0,
        late: 0,
        last_us: history.span_us().1,
        first_us: None,
        resumed,
    })
}

fn describe(watched: &[Watched], say: &dyn Fn(String)) {
    for w in watched {
        let median = w.instrument.qty_of(1) * w.detector.order_sizes().median.exp();
        say(format!(
            "watching:   {} (tick {}, quantity step {}), fitted on its history: median order {median:.6}",
            w.instrument.symbol(),
            w.instrument.tick_size(),
            w.instrument.qty_step()
        ));
    }
    let t = &ManipulationConfig::default().thresholds;
    say(format!(
        "thresholds: pump_and_dump {:.1}, flash_crash {:.1}, wash_trading {:.1}, whale_movement {:.1} (z units)",
        t.pump_and_dump, t.flash_crash, t.wash_trading, t.whale_movement
    ));
    say(String::new());
}

// ANCHOR: monitor
/// The event loop: trades into the detectors as they arrive, quiet
/// seconds closed on a timer (live), until the replay has been read to its
/// end, `--duration` passes or Ctrl-C.
async fn monitor(
    args: &Args,
    config: StreamConfig,
    mut clock: Clock,
    watched: &mut [Watched],
    until_us: Option<i64>,
    say: &dyn Fn(String),
) -> Result<Tally, BoxError> {
    let (stream, mut events) = BybitStream::spawn(config)?;
    let mut tally = Tally::default();
    let mut timer = tokio::time::interval(Duration::from_millis(250));
    let deadline = args.duration.map(|s| Instant::now() + Duration::from_secs_f64(s));
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    // Between a disconnect and the first live trade after it, no second is
    // closed: the backfilled trades still belong in them.
    let mut paused = false;
    let mut last_event = Instant::now();
    let stop_reason = loop {
        tokio::select! {
            event = events.recv() => {
                last_event = Instant::now();
                match event {
                    Some(StreamEvent::Trades { symbol, trades, backfilled }) => {
                        let Some(w) = watched.iter_mut().find(|w| w.instrument.symbol() == symbol) else { continue };
                        handle_trades(w, &trades, &mut clock, &mut tally, args.json, say)?;
                        paused &= backfilled;
                    }
                    Some(StreamEvent::Stopped { reason }) => break format!("the stream stopped: {reason}"),
                    Some(other) => {
                        say(format!("{}  {}", clock_time(clock.now_us()), describe_event(&other)));
                        match &other {
                            StreamEvent::Connected { .. } => tally.connections += 1,
                            StreamEvent::Disconnected { .. } => {
                                tally.disconnects += 1;
                                paused = true;
                            }
                            StreamEvent::Unreadable { .. } => tally.unreadable += 1,
                            StreamEvent::Gap { topic, from_ms, .. } => {
                                tally.gaps += 1;
                                // An alert must not span trades nobody saw: close
                                // the open ones at the gap's start.
                                if let Some(w) = watched.iter_mut().find(|w| w.instrument.symbol() == topic.symbol()) {
                                    w.detector.flush_alerts();
                                    report(w, Some(from_ms * 1000), args.json, say)?;
                                }
                            }
                            _ => {}
                        }
                    }
                    None => break "the stream ended".into(),
                }
            }
            _ = timer.tick() => {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break format!("--duration {} s", args.duration.unwrap_or_default());
                }
                match &clock {
                    // Read to the end: every trade sent, and nothing more for a while.
                    Clock::Replay { replay, .. } => {
                        if replay.is_finished() && last_event.elapsed() > Duration::from_millis(500) {
                            break "the end of the replay".into();
                        }
                    }
                    Clock::Live { .. } if !paused => {
                        let closed_until = clock.now_us() - GRACE_US;
                        for w in watched.iter_mut() {
                            w.detector.advance_to(closed_until)?;
                            report(w, None, args.json, say)?;
                        }
                    }
                    Clock::Live { .. } => {}
                }
            }
            _ = &mut ctrl_c => break "Ctrl-C".into(),
        }
    };
    stream.stop();
    // Nobody reads the events any more: a stream waiting to hand one over
    // sees the channel closed and ends.
    drop(events);
    stream.join().await;
    for w in watched.iter_mut() {
        let end = until_us.unwrap_or(w.last_us).max(w.last_us);
        let end = end.div_euclid(1_000_000) * 1_000_000 + 1_000_000;
        w.detector.advance_to(end)?;
        report(w, None, args.json, say)?;
        w.detector.flush_alerts();
        report(w, Some(end), args.json, say)?;
    }
    say(format!("stopped:    {stop_reason}; open alerts closed"));
    Ok(tally)
}
// ANCHOR_END: monitor

// ANCHOR: handle_trades
/// One message's trades: converted to the instrument's ticks and steps
/// and pushed; a trade older than the last one pushed, or in a second
/// already scored, is counted as late, not scored (nor added to a later
/// second).
fn handle_trades(
    w: &mut Watched,
    trades: &[PublicTrade],
    clock: &mut Clock,
    tally: &mut Tally,
    json: bool,
    say: &dyn Fn(String),
) -> Result<(), BoxError> {
    let started = Instant::now();
    for trade in trades {
        let Ok(t) = trade.to_tape_trade(&w.instrument) else {
            tally.off_grid += 1;
            continue;
        };
        while w.begun < w.episodes.len() && w.episodes[w.begun].start_us <= t.time_us {
            let e = w.episodes[w.begun];
            say(format!(
                "{}  truth    {:<8} {} begins (the simulator's label; the detector never sees it)",
                clock_time(e.start_us),
                w.instrument.symbol(),
                e.kind
            ));
            w.begun += 1;
        }
        if !w.resumed {
            // The first trade after the history: the windows restart here.
            w.detector.resume_at(t.time_us);
            w.resumed = true;
        }
        // Older than the last trade, or in a second already closed and scored.
        if t.time_us < w.last_us || w.detector.open_from_us().is_some_and(|open| t.time_us < open) {
            w.late += 1;
            continue;
        }
        w.last_us = t.time_us;
        w.first_us.get_or_insert(t.time_us);
        w.trades += 1;
        w.detector.push(&t)?;
        clock.saw(t.time_us);
    }
    report(w, None, json, say)?;
    if let Some(last) = trades.last() {
        let per_trade = started.elapsed().as_nanos() as f64 / trades.len() as f64;
        tally.handle_ns.push(per_trade);
        // Wall time from the trade's exchange time to here: live, against
        // this machine's clock; on the replay, against the replay's clock.
        let now_us = match clock {
            Clock::Replay { replay, .. } => replay.now_us(),
            Clock::Live { .. } => Utc::now().timestamp_micros(),
        };
        tally.delay_ms.push((now_us - last.time_ms * 1000) as f64 / 1e3 / clock.speed());
    }
    Ok(())
}
// ANCHOR_END: handle_trades

/// Prints the alerts that opened and those that closed since the last call.
/// `closed_at`: the feed time to print for the alerts closed now (`None`:
/// when their quiet seconds ran out, `merge_gap_s` + 1 s after their end).
fn report(w: &mut Watched, closed_at: Option<i64>, json: bool, say: &dyn Fn(String)) -> Result<(), BoxError> {
    let firing = w.detector.firing();
    for (k, open) in firing.iter().enumerate() {
        match (open, w.reported[k]) {
            (Some((since, score)), reported) if reported != Some(*since) => {
                let lag = w
                    .episodes
                    .iter()
                    .filter(|e| {
                        e.kind == PATTERNS[k]
                            && e.start_us <= since.timestamp_micros()
                            && since.timestamp_micros() <= e.end_us + 1_000_000
                    })
                    .map(|e| {
                        format!(
                            " ({} s after its episode began)",
                            (since.timestamp_micros() - e.start_us + 999_999) / 1_000_000
                        )
                    })
                    .next()
                    .unwrap_or_default();
                say(format!(
                    "{}  ALERT    {:<8} {} opened, score {score:.1}{lag}",
                    clock_time(since.timestamp_micros()),
                    w.instrument.symbol(),
                    PATTERNS[k]
                ));
                w.reported[k] = Some(*since);
            }
            (None, Some(_)) => w.reported[k] = None,
            _ => {}
        }
    }
    for alert in w.detector.take_alerts() {
        let truth = if w.episodes.is_empty() && w.begun == 0 {
            String::new()
        } else if is_true_alert(&alert, &w.episodes) {
            "  [labelled]".into()
        } else {
            "  [false alarm]".into()
        };
        let gap_us = (w.detector.config().merge_gap_s as i64 + 1) * 1_000_000;
        say(format!(
            "{}  closed   {:<8} {} {} to {} ({} s), peak {:.1}, confidence {:.2} {}{truth}",
            clock_time(closed_at.unwrap_or(alert.end.timestamp_micros() + gap_us)),
            &*alert.symbol,
            alert.kind,
            alert.start.format("%H:%M:%S"),
            alert.end.format("%H:%M:%S"),
            (alert.end - alert.start).num_seconds() + 1,
            alert.peak_score,
            alert.confidence(),
            alert.confidence_level().name()
        ));
        if json {
            println!("{}", serde_json::to_string(&alert)?);
        }
        w.alerts.push(alert);
    }
    Ok(())
}

fn describe_event(event: &StreamEvent) -> String {
    match event {
        StreamEvent::Connected { connection } => format!("stream   connected (connection {connection}), subscribed"),
        StreamEvent::Disconnected { connection, reason } => {
            format!("stream   connection {connection} lost ({reason}); reconnecting")
        }
        StreamEvent::ConnectFailed { attempt, reason, retry_in } => {
            format!("stream   connect attempt {attempt} failed ({reason}); next in {:.1} s", retry_in.as_secs_f64())
        }
        StreamEvent::Gap { topic, from_ms, to_ms, reason } => format!(
            "stream   GAP in {topic}: {} to {} may be missing ({reason})",
            clock_time(from_ms * 1000),
            clock_time(to_ms * 1000)
        ),
        StreamEvent::Rejected { message, .. } => format!("stream   subscription refused: {message}"),
        StreamEvent::Unreadable { problem, .. } => format!("stream   unreadable message: {problem}"),
        other => format!("stream   {other:?}"),
    }
}

/// The summary line and its human form.
fn finish(
    args: &Args,
    watched: &[Watched],
    tally: Tally,
    source: &str,
    labelled: bool,
    say: &dyn Fn(String),
) -> Result<(), BoxError> {
    // Judged: the seconds scored and the episodes that began while watching.
    let scores: Vec<_> = watched.iter().map(|w| w.detector.clone().take_scores()).collect();
    let runs: Vec<SymbolRun> = watched
        .iter()
        .zip(&scores)
        .map(|(w, scores)| SymbolRun { scores, alerts: &w.alerts, episodes: &w.episodes[..w.begun] })
        .collect();
    let alerts: usize = watched.iter().map(|w| w.alerts.len()).sum();
    let trades: u64 = watched.iter().map(|w| w.trades).sum();
    let late: u64 = watched.iter().map(|w| w.late).sum();
    let seconds: usize = if labelled {
        scores.iter().map(Vec::len).sum()
    } else {
        watched.iter().filter_map(|w| w.first_us.map(|first| ((w.last_us - first) / 1_000_000 + 1) as usize)).sum()
    };
    let symbol_days = seconds as f64 / 86_400.0;
    say(format!(
        "{trades} trades scored ({late} late, {} off the instrument's steps), {alerts} alert(s); \
         stream: {} connection(s), {} disconnect(s), {} gap(s)",
        tally.off_grid, tally.connections, tally.disconnects, tally.gaps
    ));
    let mut summary = if labelled {
        let types = evaluate(&runs, symbol_days.max(f64::MIN_POSITIVE))?;
        let events: usize = types.iter().map(|t| t.events).sum();
        let detected: usize = types.iter().map(|t| t.detected).sum();
        let correct: usize =
            watched.iter().map(|w| w.alerts.iter().filter(|a| is_true_alert(a, &w.episodes)).count()).sum();
        for t in types.iter().filter(|t| t.events > 0) {
            let delay = t.mean_delay_s.map_or("-".into(), |d| format!("{d:.0} s"));
            say(format!("  {:<15} {}/{} episodes found, mean delay {delay}", t.kind.name(), t.detected, t.events));
        }
        say(format!("  alerts that match a labelled episode: {correct} of {alerts}"));
        let precision = (alerts > 0).then(|| correct as f64 / alerts as f64);
        let recall = (events > 0).then(|| detected as f64 / events as f64);
        let f1 = match (precision, recall) {
            (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
            _ => None,
        };
        let (scores, labels) = any_pattern_scores(&runs, &ManipulationConfig::default().thresholds);
        serde_json::json!({
            "labelled": true, "precision": precision.map(round4), "recall": recall.map(round4), "f1": f1.map(round4),
            "pr_auc": average_precision(&scores, &labels)?.map(round4), "roc_auc": roc_auc(&scores, &labels)?.map(round4),
            "events": events, "detected_events": detected, "alerts": alerts, "types": serde_json::to_value(&types)?,
        })
    } else {
        serde_json::json!({
            "labelled": false, "precision": null, "recall": null, "f1": null, "pr_auc": null, "roc_auc": null,
            "events": null, "detected_events": null, "alerts": alerts,
        })
    };
    summary["input"] = serde_json::json!({
        "source": source, "symbols": args.symbol, "trades": trades, "late_trades": late,
        "off_grid_trades": tally.off_grid, "scored_seconds": seconds,
    });
    summary["stream"] = serde_json::json!({
        "connections": tally.connections, "disconnects": tally.disconnects, "gaps": tally.gaps,
        "unreadable": tally.unreadable,
    });
    if !args.no_timings {
        let handle = percentiles(tally.handle_ns.values);
        let delay = percentiles(tally.delay_ms.values);
        say(format!(
            "latency:    handling {:.0} ns per trade (p50 over messages), {:.0} ns (p99); trade time to handled {:.1} ms (p50), {:.1} ms (p99)",
            handle.0, handle.1, delay.0, delay.1
        ));
        summary["latency"] = serde_json::json!({
            "handle_ns_p50": handle.0.round(), "handle_ns_p99": handle.1.round(),
            "delay_ms_p50": round4(delay.0), "delay_ms_p99": round4(delay.1),
        });
    }
    if args.json {
        println!("{}", serde_json::json!({ "summary": summary }));
    }
    Ok(())
}

/// The median and the 99th percentile (nearest rank; 0 for no data).
fn percentiles(mut values: Vec<f64>) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((q * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1];
    (at(0.5), at(0.99))
}

fn clock_time(us: i64) -> String {
    DateTime::from_timestamp_micros(us).map_or_else(|| us.to_string(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string())
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}
