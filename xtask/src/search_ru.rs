//! Search for the Russian variants of the book.
//!
//! mdBook 0.5 builds its search index with elasticlunr-rs and the English
//! pipeline (trimmer, stop words, Porter stemmer). The trimmer strips every
//! character that is not an ASCII letter or digit, so no Russian word reaches
//! the index (mdBook issues #1081, #2393), and the browser-side trimmer strips
//! Russian from the query too.
//!
//! After mdBook has built a Russian variant, [`rebuild`] rewrites its index
//! file `searchindex-<hash>.js`: it re-tokenizes the texts of the document
//! store (title, body, breadcrumbs) with a Unicode-aware tokenizer, rebuilds
//! the inverted index tries and the field lengths as elasticlunr.js computes
//! them, names the query pipeline [`PIPELINE_NAME`], and prepends
//! `theme/search-ru.js`, which registers that pipeline function (normalize,
//! drop stop words, light stemming) in the browser. searcher.js loads the index
//! file lazily, after elasticlunr.min.js and before `elasticlunr.Index.load`,
//! so the function is registered in time; English pages never see it.
//!
//! The index keeps whole words; only the query is stemmed, to a prefix of the
//! word, and searcher.js searches with `expand: true` (prefix matching).
//! [`tokenize`] must split words exactly as `SEPARATOR` in theme/search-ru.js.
//!
//! The file keeps mdBook's name: the hash in it is that of mdBook's index,
//! which is a function of the book's text, as ours is.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};

/// The query pipeline function that theme/search-ru.js registers.
pub const PIPELINE_NAME: &str = "mdbook-ru-query";

/// The code prepended to the index (see the module docs).
const QUERY_JS: &str = include_str!("../../theme/search-ru.js");

/// How mdBook wraps the index JSON (mdbook-html `search.rs`): a JS string in
/// single quotes, with `\` and `'` escaped.
const WRAPPER_START: &str = "window.search = Object.assign(window.search, JSON.parse('";
const WRAPPER_END: &str = "'));";

/// mdBook drops longer tokens (`MAX_WORD_LENGTH_TO_INDEX`, in bytes).
const MAX_TOKEN_BYTES: usize = 80;

/// Rewrites the search index of the variant built into `out_dir`.
pub fn rebuild(out_dir: &Path) -> Result<()> {
    let path = find_index_file(out_dir)?;
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut search = parse_index_js(&text).with_context(|| format!("parsing {}", path.display()))?;
    let index = search.get_mut("index").context("the search data has no `index`")?;
    let words = rebuild_index(index).with_context(|| format!("rebuilding the index of {}", path.display()))?;
    let js = format!("{QUERY_JS}\n{}\n", write_index_js(&search)?);
    fs::write(&path, js).with_context(|| format!("writing {}", path.display()))?;
    println!("book: rebuilt the Russian search index {} ({words} distinct words)", path.display());
    Ok(())
}

/// The one `searchindex*.js` in `out_dir`.
fn find_index_file(out_dir: &Path) -> Result<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(out_dir).with_context(|| format!("reading {}", out_dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        if name.starts_with("searchindex") && name.ends_with(".js") && path.is_file() {
            found.push(path);
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("no searchindex*.js in {} (is `output.html.search` disabled?)", out_dir.display()),
        _ => bail!("several searchindex*.js in {}: {found:?}", out_dir.display()),
    }
}

/// The JSON object inside mdBook's index file. Anything before the wrapper (our
/// own prelude, when the file was already rewritten) is ignored.
fn parse_index_js(text: &str) -> Result<Value> {
    let start = text.rfind(WRAPPER_START).context("no `JSON.parse('` wrapper (has mdBook changed its format?)")?
        + WRAPPER_START.len();
    let end = start + text[start..].rfind(WRAPPER_END).context("the `JSON.parse('` wrapper is not closed")?;
    let mut json = String::with_capacity(end - start);
    let mut chars = text[start..end].chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            json.push(chars.next().context("a lone `\\` at the end of the index")?);
        } else {
            json.push(c);
        }
    }
    serde_json::from_str(&json).context("the index is not valid JSON")
}

/// The index file text for `search`, wrapped as mdBook does.
fn write_index_js(search: &Value) -> Result<String> {
    let json = serde_json::to_string(search)?;
    Ok(format!("{WRAPPER_START}{}{WRAPPER_END}", json.replace('\\', "\\\\").replace('\'', "\\'")))
}

/// Whether `c` belongs to a word: letters, digits and combining accents. Must
/// match `SEPARATOR` in theme/search-ru.js (`[^\p{Alphabetic}\p{N}\u0300-\u036f]`).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_accent(c)
}

fn is_combining_accent(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Splits `text` into lowercase words, accents dropped and `ё` read as `е`
/// (the `normalize` of theme/search-ru.js).
pub fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| !is_word_char(c))
        .map(|word| {
            word.to_lowercase()
                .chars()
                .filter(|&c| !is_combining_accent(c))
                .map(|c| if c == 'ё' { 'е' } else { c })
                .collect::<String>()
        })
        .filter(|word| !word.is_empty() && word.len() <= MAX_TOKEN_BYTES)
        .collect()
}

/// Rebuilds the inverted index and the field lengths of a serialized
/// elasticlunr index from its document store, and sets its pipeline. Returns
/// the number of distinct words.
fn rebuild_index(index: &mut Value) -> Result<usize> {
    let fields: Vec<String> = serde_json::from_value(index.get("fields").cloned().context("no `fields`")?)
        .context("`fields` is not a list of names")?;
    let store = index.get_mut("documentStore").context("no `documentStore`")?;
    let docs = store.get("docs").and_then(Value::as_object).context("no `documentStore.docs` (was it saved?)")?;

    let mut tries: BTreeMap<&str, Node> = fields.iter().map(|field| (field.as_str(), Node::default())).collect();
    let mut doc_info = Map::new();
    let mut words = std::collections::BTreeSet::new();
    for (doc_ref, doc) in docs {
        let mut lengths = Map::new();
        for field in &fields {
            let text = doc.get(field).and_then(Value::as_str).unwrap_or_default();
            let tokens = tokenize(text);
            lengths.insert(field.clone(), json!(tokens.len()));
            let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
            for token in &tokens {
                *counts.entry(token).or_default() += 1;
            }
            let trie = tries.get_mut(field.as_str()).expect("one trie per field");
            for (token, count) in counts {
                // elasticlunr.js: tf = sqrt(occurrences of the token in the field).
                trie.add(token, doc_ref, f64::from(count).sqrt());
                words.insert(token.to_string());
            }
        }
        doc_info.insert(doc_ref.clone(), Value::Object(lengths));
    }

    store["docInfo"] = Value::Object(doc_info);
    index["index"] = Value::Object(
        tries.into_iter().map(|(field, trie)| (field.to_string(), json!({ "root": trie.to_json() }))).collect(),
    );
    index["pipeline"] = json!([PIPELINE_NAME]);
    Ok(words.len())
}

/// A node of elasticlunr's inverted index: `{"docs": {ref: {"tf": f}}, "df": n,
/// <char>: child, ...}`.
#[derive(Default)]
struct Node {
    docs: BTreeMap<String, f64>,
    children: BTreeMap<char, Node>,
}

impl Node {
    fn add(&mut self, token: &str, doc_ref: &str, tf: f64) {
        let mut node = self;
        for c in token.chars() {
            node = node.children.entry(c).or_default();
        }
        node.docs.insert(doc_ref.to_string(), tf);
    }

    fn to_json(&self) -> Value {
        let mut object = Map::new();
        let docs = self.docs.iter().map(|(doc_ref, tf)| (doc_ref.clone(), json!({ "tf": tf }))).collect();
        object.insert("docs".to_string(), Value::Object(docs));
        object.insert("df".to_string(), json!(self.docs.len()));
        for (c, child) in &self.children {
            object.insert(c.to_string(), child.to_json());
        }
        Value::Object(object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_keeps_cyrillic_and_splits_on_punctuation() {
        assert_eq!(
            tokenize("Аномалии — «детектор», z-score; порог=0.95 Объём anomaly_score"),
            ["аномалии", "детектор", "z", "score", "порог", "0", "95", "объем", "anomaly", "score"]
        );
        // A stress mark (U+0301) stays inside the word and is dropped.
        assert_eq!(tokenize("за\u{301}мок"), ["замок"]);
        assert!(tokenize(&"я".repeat(41)).is_empty(), "tokens over 80 bytes are dropped, as mdBook does");
    }

    #[test]
    fn query_js_matches_the_rust_side() {
        assert!(QUERY_JS.contains(&format!("var PIPELINE_NAME = \"{PIPELINE_NAME}\";")));
        assert!(QUERY_JS.contains(r"var SEPARATOR = /[^\p{Alphabetic}\p{N}\u0300-\u036f]+/u;"));
    }

    fn sample_index_js() -> String {
        let search = json!({
            "doc_urls": ["a.html#x", "b.html#y"],
            "index": {
                "fields": ["title", "body"],
                "ref": "id",
                "version": "0.9.5",
                "pipeline": ["trimmer", "stopWordFilter", "stemmer"],
                "index": {"title": {"root": {"docs": {}, "df": 0}}, "body": {"root": {"docs": {}, "df": 0}}},
                "documentStore": {
                    "save": true,
                    "length": 2,
                    "docs": {
                        "0": {"id": "0", "title": "Аномалии", "body": "Порог и порог. It's \\ fine"},
                        "1": {"id": "1", "title": "Детектор", "body": "аномалии детектора"},
                    },
                    "docInfo": {"0": {"title": 0, "body": 3}, "1": {"title": 0, "body": 0}},
                },
            },
        });
        write_index_js(&search).unwrap()
    }

    fn node<'a>(root: &'a Value, token: &str) -> &'a Value {
        token.chars().fold(root, |node, c| &node[c.to_string()])
    }

    #[test]
    fn rebuild_index_indexes_russian_words() {
        let text = sample_index_js();
        assert!(text.contains(r"It\'s \\\\ fine"), "mdBook's escaping: {text}");
        let mut search = parse_index_js(&format!("// an old prelude\n{text}\n")).unwrap();
        assert_eq!(search["index"]["documentStore"]["docs"]["0"]["body"], "Порог и порог. It's \\ fine");

        let words = rebuild_index(&mut search["index"]).unwrap();
        let index = &search["index"];
        assert_eq!(words, 8); // аномалии порог и it s fine детектор детектора
        assert_eq!(index["pipeline"], json!([PIPELINE_NAME]));
        assert_eq!(index["documentStore"]["docInfo"]["0"], json!({"title": 1, "body": 6}));
        assert_eq!(index["documentStore"]["docInfo"]["1"], json!({"title": 1, "body": 2}));

        let body = &index["index"]["body"]["root"];
        let porog = node(body, "порог");
        assert_eq!(porog["df"], 1);
        assert_eq!(porog["docs"]["0"]["tf"], json!(2f64.sqrt()));
        let anomalies = node(body, "аномалии");
        assert_eq!(anomalies["df"], 1);
        assert_eq!(anomalies["docs"]["1"]["tf"], 1.0);
        // Prefixes are inner nodes without documents; `детектор` is both a
        // word (title of doc 1) and, in the body, a prefix of `детектора`.
        assert_eq!(node(body, "аномал")["df"], 0);
        assert_eq!(node(body, "детектор")["df"], 0);
        assert_eq!(node(body, "детектора")["docs"]["1"]["tf"], 1.0);
        assert_eq!(node(&index["index"]["title"]["root"], "детектор")["docs"]["1"]["tf"], 1.0);
        assert_eq!(node(&index["index"]["title"]["root"], "аномалии")["df"], 1);

        // The rewritten file parses back to the same data.
        let again = parse_index_js(&write_index_js(&search).unwrap()).unwrap();
        assert_eq!(again, search);
    }
}
