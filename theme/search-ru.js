// Search for the Russian variants of the book (`ru`, `ru-simple`).
//
// mdBook builds its search index with elasticlunr-rs and the English
// pipeline, whose trimmer strips every character that is not an ASCII letter
// or digit: no Russian word reaches the index, and the browser-side trimmer
// (`\W` is ASCII-only) strips Russian from the query as well. So
// `cargo xtask book build` (xtask/src/search_ru.rs) rebuilds the index of the
// Russian variants with a Unicode-aware tokenizer and prepends this file to
// that index file (`searchindex-<hash>.js`).
//
// This file is therefore NOT an `additional-js`: searcher.js loads the index
// file lazily, after elasticlunr.min.js and before it calls
// `elasticlunr.Index.load`, so the pipeline function named in the rebuilt
// index is registered in time, and English pages never run this code.
//
// Index side (Rust) and query side (here) must split words the same way:
//   a word is a run of letters, digits and combining accents (U+0300-U+036F);
//   it is lowercased, accents are dropped, and "ё" becomes "е".
// The index keeps whole words; only the query is stemmed (a light suffix
// stripper) and stop words are dropped from it. Stripping a suffix leaves a
// prefix of the word, and searcher.js searches with `expand: true` (prefix
// matching), so «аномалия», «аномалии» and «аномал» all find «аномалиями».
(function () {
    "use strict";

    if (typeof elasticlunr === "undefined") {
        return;
    }

    // Must match `search_ru::PIPELINE_NAME`.
    var PIPELINE_NAME = "mdbook-ru-query";
    // Must match `search_ru::is_word_char`.
    var SEPARATOR = /[^\p{Alphabetic}\p{N}\u0300-\u036f]+/u;
    var EDGE_PUNCTUATION = /^[^\p{Alphabetic}\p{N}]+|[^\p{Alphabetic}\p{N}]+$/gu;
    var CYRILLIC = /[\u0400-\u04ff]/;
    var MIN_STEM = 3;

    var STOP_WORDS = {};
    (
        "а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже для до " +
        "его ее если есть еще же за здесь и из или им их к как ко когда кто ли либо между меня мы на над не " +
        "него нее нет ни них но ну о об однако он она они оно от по под при с со так также такой там те тем " +
        "то того тоже той только том ты у уже чем что чтобы эта эти это этого этой этом этот я"
    ).split(" ").forEach(function (word) {
        STOP_WORDS[word] = true;
    });

    // Inflectional endings of nouns, adjectives and participles (plus the
    // reflexive -ся/-сь), longest first. Verb endings are left out: most of
    // them are also the last letters of common nouns (бюджет, лимит).
    var ENDINGS = [
        "иями",
        "ыми", "ими", "ого", "его", "ому", "ему", "ями", "ами", "ией", "ием", "иях", "иям",
        "ая", "яя", "ое", "ее", "ые", "ие", "ый", "ий", "ой", "ей", "ую", "юю", "ым", "им", "ом", "ем",
        "ых", "их", "ов", "ев", "ам", "ям", "ах", "ях", "ия", "ья", "ию", "ью", "ии", "ье", "ся", "сь",
        "а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "й",
    ];

    function normalize(word) {
        return word.toLowerCase().replace(/[\u0300-\u036f]/g, "").replace(/ё/g, "е");
    }

    function stem(word) {
        if (CYRILLIC.test(word)) {
            for (var i = 0; i < ENDINGS.length; i++) {
                var ending = ENDINGS[i];
                if (word.length - ending.length >= MIN_STEM && word.slice(-ending.length) === ending) {
                    return word.slice(0, -ending.length);
                }
            }
            return word;
        }
        // English words in Russian text: drop a plural -s (detectors).
        if (word.length > 3 && /[^s]s$/.test(word)) {
            return word.slice(0, -1);
        }
        return word;
    }

    // The query pipeline: one token in, one token (or nothing) out.
    function queryToken(token) {
        var word = normalize(token);
        if (word === "" || STOP_WORDS[word]) {
            return undefined;
        }
        return stem(word);
    }

    elasticlunr.Pipeline.registerFunction(queryToken, PIPELINE_NAME);
    elasticlunr.tokenizer.setSeperator(SEPARATOR);

    // searcher.js highlights a teaser word when `elasticlunr.stemmer(word)`
    // starts with `elasticlunr.stemmer(term)`. The English Porter stemmer
    // leaves Russian as it is; use the stemmer above instead. Stop words map
    // to a marker no other word starts with, so «на» does not highlight
    // every word that begins with «на».
    elasticlunr.stemmer = function (word) {
        var clean = normalize(String(word)).replace(EDGE_PUNCTUATION, "");
        if (clean === "") {
            return String(word);
        }
        if (STOP_WORDS[clean]) {
            return "\uffff" + clean;
        }
        return stem(clean);
    };
})();
