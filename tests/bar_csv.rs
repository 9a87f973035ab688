//! The bar file reader on the files people really download, and on the
//! damage they really carry (issue: "real files as they come").

use llm_anomaly::data::bar_csv::{DecimalMark, FileShape, ProblemKind};
use llm_anomaly::data::{BarCsv, CsvOptions, LoadedBars};
use llm_anomaly::error::Error;

fn read(text: &str) -> LoadedBars {
    read_with(text, &CsvOptions::default())
}

fn read_with(text: &str, options: &CsvOptions) -> LoadedBars {
    BarCsv::read_with(text.as_bytes(), "test.csv", "X", options).unwrap()
}

fn closes(l: &LoadedBars) -> Vec<f64> {
    l.rows.iter().map(|r| r.bar.close).collect()
}

fn volumes(l: &LoadedBars) -> Vec<f64> {
    l.rows.iter().map(|r| r.bar.volume).collect()
}

// ---- 1. never a silently wrong value ---------------------------------------

#[test]
fn an_unquoted_thousands_separator_is_refused_not_read_as_a_smaller_number() {
    let l = read("date,open,high,low,close,volume\n2024-01-02,1,1,1,1,5000\n2024-01-03,1,1,1,1,9,098\n");
    assert_eq!(volumes(&l), [5000.0], "the row with 9,098 must not become volume 9");
    assert_eq!(l.problems.len(), 1);
    let p = &l.problems[0];
    assert_eq!((p.line, p.kind), (3, ProblemKind::FieldCount));
    assert!(p.message.contains("7 fields, the header has 6") && p.message.contains("thousands"), "{}", p.message);
}

#[test]
fn a_decimal_comma_in_a_comma_file_is_refused() {
    let l = read("date,close,volume\n2024-01-02,10.5,100\n2024-01-03,10.6,99,5\n");
    assert_eq!(volumes(&l), [100.0]);
    assert_eq!(l.problems[0].kind, ProblemKind::FieldCount);
}

#[test]
fn quoted_numbers_with_thousands_separators_are_read_exactly() {
    let l = read("date,close,volume\n2024-01-02,\"1,234.50\",\"9,098\"\n");
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    assert_eq!((closes(&l), volumes(&l)), (vec![1234.5], vec![9098.0]));
    let l = read("date,close,volume\n2024-01-02,\"9,5\",1\n");
    assert_eq!(l.problems[0].kind, ProblemKind::BadNumber);
    assert!(l.problems[0].message.contains("--decimal-comma"), "{}", l.problems[0].message);
}

#[test]
fn fewer_fields_are_refused_and_trailing_empty_fields_are_harmless() {
    let l = read("date,close,volume\n2024-01-02,1\n2024-01-03,1,2,\n");
    assert_eq!(l.problems.len(), 1);
    assert!(l.problems[0].message.contains("cut short"), "{}", l.problems[0].message);
    assert_eq!(volumes(&l), [2.0]);
}

// ---- 2. line numbers -------------------------------------------------------

#[test]
fn crlf_files_give_the_same_rows_and_line_numbers() {
    let lf = "timestamp,close,volume\nbad,1,1\n2024-01-02,1,1\n\n2024-01-03,x,1\n2024-01-04,2,1\n";
    let crlf = lf.replace('\n', "\r\n");
    let (a, b) = (read(lf), read(&crlf));
    let lines = |l: &LoadedBars| l.problems.iter().map(|p| p.line).collect::<Vec<_>>();
    assert_eq!(lines(&a), [2, 5]);
    assert_eq!(lines(&b), [2, 5], "the first data row of a CRLF file is line 2, not 1");
    assert_eq!(a.rows, b.rows);
    assert_eq!(b.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 6]);
}

// ---- 4. everyday shapes ----------------------------------------------------

#[test]
fn binance_klines_without_header_in_ms_and_us() {
    let ms = "1704067200000,42283.58,42554.57,42261.02,42475.23,1271.68108,1704070799999,53957248.973,47134,682.57581,28957416.819,0\n\
              1704070800000,42475.23,42775.00,42431.65,42613.56,1196.37856,1704074399999,50984893.192,44567,630.33460,26864000.231,0\n";
    let us = "1735689600000000,93576.00,93610.93,93537.50,93610.93,8.21827,1735689659999999,768978.08,1870,3.93,367821.33,0\n";
    for (text, n, first) in [(ms, 2, 1_704_067_200), (us, 1, 1_735_689_600)] {
        let l = read(text);
        assert_eq!(l.shape, FileShape::BinanceKlines);
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(l.rows.len(), n);
        assert_eq!(l.rows[0].bar.timestamp.timestamp(), first);
        assert_eq!(l.rows[0].line, 1, "a headerless file's first row is line 1");
    }
    assert_eq!(read(ms).rows[0].bar.volume, 1271.68108);
}

#[test]
fn cryptodatadownload_with_banner_unix_ms_and_base_volume() {
    let text = "https://www.CryptoDataDownload.com\n\
                unix,date,symbol,open,high,low,close,Volume BTC,Volume USDT,tradecount\n\
                1704070800000,2024-01-01 01:00:00,BTC/USDT,42475.23,42775.00,42431.65,42613.56,1196.37856,50984893.19,44567\n\
                1704067200000,2024-01-01 00:00:00,BTC/USDT,42283.58,42554.57,42261.02,42475.23,1271.68108,53957248.97,47134\n";
    let l = read(text);
    assert_eq!(l.shape, FileShape::CryptoDataDownload);
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    assert_eq!(volumes(&l), [1196.37856, 1271.68108], "Volume BTC, the base asset");
    assert_eq!(&*l.rows[0].symbol, "BTC/USDT");
    assert_eq!(l.rows[0].line, 3);
    assert!(l.notes.iter().any(|n| n.contains("banner")), "{:?}", l.notes);
    assert!(llm_anomaly::data::repair::is_newest_first(&l.rows));
}

#[test]
fn metatrader_exports_with_and_without_header() {
    let mt5 = "<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n\
               2024.01.02\t00:00:00\t1.10427\t1.10467\t1.10403\t1.10455\t1520\t0\t3\n\
               2024.01.02\t00:01:00\t1.10455\t1.10470\t1.10444\t1.10449\t1312\t0\t2\n";
    let l = read(mt5);
    assert_eq!(l.shape, FileShape::MetaTrader);
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    assert_eq!(l.rows[1].bar.timestamp.to_rfc3339(), "2024-01-02T00:01:00+00:00");
    assert_eq!(l.rows[0].bar.close, 1.10455);
    let tick = read_with(mt5, &CsvOptions { volume_column: Some("tickvol".into()), ..Default::default() });
    assert_eq!(volumes(&tick), [1520.0, 1312.0]);
    let mt4 = "2024.01.02,00:00,1.10427,1.10467,1.10403,1.10455,1520\n2024.01.02,00:01,1.10455,1.10470,1.10444,1.10449,1312\n";
    let l = read(mt4);
    assert_eq!(l.shape, FileShape::MetaTraderHeaderless);
    assert_eq!(volumes(&l), [1520.0, 1312.0]);
}

#[test]
fn semicolons_and_decimal_commas_are_detected() {
    let l = read("Datum;Open;High;Low;Close;Volume\n02.01.2024;1,5;1,75;1,25;1,5;1.234\n");
    // 02.01.2024 is day-first: refused until a format is given.
    assert_eq!(l.problems[0].kind, ProblemKind::BadTimestamp);
    assert!(l.problems[0].message.contains("--date-format"), "{}", l.problems[0].message);
    let opts = CsvOptions { date_format: Some("%d.%m.%Y".into()), ..Default::default() };
    let l = read_with("Datum;Open;High;Low;Close;Volume\n02.01.2024;1,5;1,75;1,25;1,5;1.234\n", &opts);
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    assert_eq!((closes(&l), volumes(&l)), (vec![1.5], vec![1234.0]));
    assert_eq!(l.rows[0].bar.timestamp.to_rfc3339(), "2024-01-02T00:00:00+00:00");
    // A semicolon file with decimal points stays with points.
    let l = read("date;close;volume\n2024-01-02;1.5;10\n");
    assert_eq!(closes(&l), [1.5]);
    // And the flag can say it outright.
    let l = read_with(
        "date\tclose\tvolume\n2024-01-02\t1.5\t10\n",
        &CsvOptions { decimal: Some(DecimalMark::Comma), ..Default::default() },
    );
    assert_eq!(l.problems[0].kind, ProblemKind::BadNumber, "1.5 is not a decimal-comma number");
}

#[test]
fn utc_suffixes_and_iso_offsets() {
    let l = read("time,close,volume\n2024-01-02 00:00:00 UTC,1,1\n2024-01-02T01:00:00+01:00,1,1\n");
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    assert_eq!(l.rows[0].bar.timestamp, l.rows[1].bar.timestamp);
}

#[test]
fn price_only_series_are_read() {
    // FX or index files without volume, and NAB-style `timestamp,value`.
    let l = read("timestamp,value\n2014-04-01 00:00:00,19.76\n2014-04-01 00:05:00,20.01\n");
    assert!(!l.has_volume);
    assert_eq!((closes(&l), volumes(&l)), (vec![19.76, 20.01], vec![0.0, 0.0]));
    assert!(l.notes.iter().any(|n| n.contains("price-only")), "{:?}", l.notes);
    let l = read_with("date,close,volume\n2024-01-02,1,500\n", &CsvOptions { price_only: true, ..Default::default() });
    assert_eq!(volumes(&l), [0.0]);
}

#[test]
fn named_columns_for_a_headerless_file() {
    let opts = CsvOptions {
        no_header: true,
        columns: Some(["ts", "close", "volume"].map(String::from).to_vec()),
        ..Default::default()
    };
    let l = read_with("2024-01-02,1,5\n2024-01-03,2,6\n", &opts);
    assert_eq!(l.shape, FileShape::NamedColumns);
    assert_eq!(closes(&l), [1.0, 2.0]);
    let err = BarCsv::read_with("2024-01-02,1,5\n".as_bytes(), "h.csv", "X", &CsvOptions::default()).unwrap_err();
    assert!(err.to_string().contains("--no-header --columns"), "{err}");
}

#[test]
fn a_pandas_index_without_a_name_is_the_timestamp() {
    let l = read(",Open,High,Low,Close,Volume\n2017-04-19 09:00:00,1.0716,1.0722,1.07083,1.07219,1413\n");
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    assert_eq!(l.rows[0].bar.timestamp.to_rfc3339(), "2017-04-19T09:00:00+00:00");
    assert!(l.notes.iter().any(|n| n.contains("pandas")), "{:?}", l.notes);
}

// ---- 5. encodings ----------------------------------------------------------

#[test]
fn a_latin1_byte_in_an_ignored_column_does_not_matter() {
    let mut bytes = b"date,close,volume,comment\n2024-01-02,1,5,caf".to_vec();
    bytes.extend_from_slice(&[0xE9, b'\n']);
    bytes.extend_from_slice(b"2024-01-03,2,6,ok\n");
    let l = BarCsv::read_with(bytes.as_slice(), "l1.csv", "X", &CsvOptions::default()).unwrap();
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    assert_eq!(l.rows.len(), 2);
    // In a used column it is named, with the way out.
    let mut bytes = b"date,symbol,close,volume\n2024-01-02,caf".to_vec();
    bytes.extend_from_slice(&[0xE9]);
    bytes.extend_from_slice(b",1,5\n");
    let l = BarCsv::read_with(bytes.as_slice(), "l1.csv", "X", &CsvOptions::default()).unwrap();
    assert_eq!(l.problems[0].kind, ProblemKind::NotUtf8);
    assert!(l.problems[0].message.contains("re-save the file as UTF-8"), "{}", l.problems[0].message);
}

#[test]
fn utf16_files_are_refused_with_the_fix() {
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain("date,close,volume\n".encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
    let err = BarCsv::read_with(utf16.as_slice(), "w.csv", "X", &CsvOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("w.csv") && msg.contains("UTF-16") && msg.contains("UTF-8"), "{msg}");
}

// ---- 6. labels -------------------------------------------------------------

#[test]
fn a_bad_label_keeps_the_bar() {
    let l = read("date,close,volume,label\n2024-01-02,1,5,0\n2024-01-03,9,50,l\n2024-01-04,1,5,0\n");
    assert_eq!(l.rows.len(), 3, "the bar with a typo in its label is kept");
    assert_eq!(l.rows[1].label, None);
    assert_eq!(l.label_problems.len(), 1);
    assert_eq!((l.label_problems[0].line, l.label_problems[0].kind), (3, ProblemKind::LabelUnreadable));
    assert_eq!(l.counts.labels_unreadable, 1);
    assert!(l.has_labels);
}

// ---- the Foundation's cases, kept ------------------------------------------

#[test]
fn yahoo_style_file_with_extra_columns_and_plain_dates() {
    let l = read(
        "Date,Open,High,Low,Close,Adj Close,Volume\n2024-03-01,10,11,9,10.5,10.4,1000\n2024-03-04,10.5,12,10,11,10.9,0\n",
    );
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    assert_eq!(l.rows.len(), 2);
    assert_eq!(l.rows[1].line, 3);
    assert_eq!(l.rows[1].bar.volume, 0.0, "zero-volume bars are kept");
    assert_eq!(l.rows[0].bar.close, 10.5, "Close, not Adj Close");
    assert_eq!(&*l.rows[0].symbol, "X");
    assert_eq!(l.shape, FileShape::HeaderRow);
}

#[test]
fn bad_rows_are_reported_with_line_numbers_and_the_rest_is_kept() {
    let text = "timestamp,symbol,open,high,low,close,volume,label\n\
                1700000000000,BTC,1,1,1,1,5,0\n\
                1700000060000,BTC,1,1,1,NaN,5,0\n\
                1700000120000,BTC,1,0.5,1,1,5,1\n\
                yesterday,BTC,1,1,1,1,5,0\n\
                1700000180000,BTC,1,1,1,1,-5,0\n\
                1700000240000,BTC,1,1,1,1,5,1\n";
    let l = read(text);
    let lines: Vec<u64> = l.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6]);
    assert!(l.problems[0].message.contains("close") && l.problems[0].message.contains("NaN"));
    assert!(l.problems[2].message.contains("yesterday"));
    assert_eq!(l.rows.len(), 2);
    assert_eq!(l.rows[1].label, Some(true));
    assert_eq!(l.counts.skipped.get("invalid_bar"), Some(&3));
}

#[test]
fn separate_date_and_time_columns_and_a_bom() {
    let l = read(
        "\u{feff}Date,Time,Open,High,Low,Close,Volume\r\n2024-03-01,09:30:00,1,1,1,1,5\r\n2024-03-01,09:31,1,1,1,1,6\r\n",
    );
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    assert_eq!(l.rows[1].bar.timestamp.to_rfc3339(), "2024-03-01T09:31:00+00:00");
}

#[test]
fn yahoo_null_rows_are_reported_not_loaded() {
    let l = read(
        "Date,Open,High,Low,Close,Adj Close,Volume\n2024-03-01,null,null,null,null,null,null\n2024-03-04,1,1,1,1,1,1\n",
    );
    assert_eq!(l.rows.len(), 1);
    assert_eq!(l.problems[0].line, 2);
    assert!(l.problems[0].message.contains("null"), "{}", l.problems[0].message);
}

#[test]
fn missing_required_column_names_the_column_and_the_file() {
    let err = BarCsv::read("time,open,close2\n1,2,3\n".as_bytes(), "x.csv", "X").unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("x.csv") && msg.contains("line 1") && msg.contains("`close`"), "{msg}");
}

#[test]
fn header_only_and_empty_files_name_the_file() {
    for text in ["date,close,volume\n", "", "\n\n"] {
        let err = BarCsv::read(text.as_bytes(), "only.csv", "X").unwrap_err();
        assert!(matches!(&err, Error::Csv { path, .. } if path == "only.csv"), "{err}");
    }
}

// ---- the samples the book shows --------------------------------------------

/// Every sample file of `tests/data/shapes/` (the book's "your own data"
/// section includes them) with what it must give: shape, bars, first close
/// and first volume.
#[test]
fn the_book_samples_read_as_the_book_says() {
    use FileShape::*;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shapes");
    for (file, shape, bars, close, volume) in [
        ("yahoo.csv", HeaderRow, 2, 10.5, 1000.0),
        ("binance_klines.csv", BinanceKlines, 2, 42475.23, 1271.68108),
        ("binance_klines_us.csv", BinanceKlines, 2, 93610.93, 8.21827),
        ("cryptodatadownload.csv", CryptoDataDownload, 2, 42613.56, 1196.37856),
        ("metatrader5.tsv", MetaTrader, 2, 1.10455, 0.0),
        ("metatrader4.csv", MetaTraderHeaderless, 2, 1.10455, 1520.0),
        ("european.csv", HeaderRow, 2, 102.10, 1_234_567.0),
        ("quoted_thousands.csv", HeaderRow, 2, 1238.75, 9098.0),
        ("utc_suffix.csv", HeaderRow, 2, 42475.23, 1271.68),
        ("price_only.csv", HeaderRow, 2, 19.761252, 0.0),
    ] {
        let l = BarCsv::read_path(dir.join(file)).unwrap();
        assert!(l.problems.is_empty(), "{file}: {:?}", l.problems);
        assert_eq!((l.shape, l.rows.len()), (shape, bars), "{file}");
        assert_eq!((l.rows[0].bar.close, l.rows[0].bar.volume), (close, volume), "{file}");
    }
    for (file, kind) in [
        ("refused_unquoted_thousands.csv", ProblemKind::FieldCount),
        ("refused_day_first.csv", ProblemKind::BadTimestamp),
    ] {
        let l = BarCsv::read_path(dir.join(file)).unwrap();
        assert_eq!(l.problems[0].kind, kind, "{file}");
    }
}
