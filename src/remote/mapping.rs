//! The remote index's settings and mappings: OpenSearch analyzers that cut and normalise words
//! as loupe's analyses do ([`crate::analysis`]), one pair of searched fields per analysis, and
//! the stored fields a hit is printed from.
//!
//! What is the same: words are runs of letters, digits and marks, with apostrophes inside them;
//! case, accents, typographic apostrophes and combining marks are folded; each language has its
//! Snowball stemmer (Lucene's, generated from the same Snowball sources as loupe's); Turkish and
//! Azerbaijani case `I` as `ı` and drop what follows an apostrophe; French and Italian drop the
//! elided article before one. What differs: Chinese, Japanese and Korean passages are cut into
//! bigrams by Lucene's CJK analysis, and CJK characters inside passages of other languages are
//! indexed one by one; terms are capped at 48 characters rather than 48 bytes.

use serde_json::{json, Map, Value};

use crate::analysis::Analysis;

/// Bumped whenever the settings or mappings change in a way that needs the remote index
/// recreated (`loupe push --rebuild`).
pub const MAPPING_VERSION: u64 = 1;

/// The searched fields of one analysis: `body_<key>` (the title twice, then the passage text)
/// and `title_<key>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSet {
    /// The suffix of the field names, and of the analyzer's name.
    pub key: &'static str,
}

impl FieldSet {
    /// Every field set, one per analysis (and one for CJK passages).
    pub const ALL: [FieldSet; 12] = [
        FieldSet { key: "en" },
        FieldSet { key: "ru" },
        FieldSet { key: "tr" },
        FieldSet { key: "az" },
        FieldSet { key: "de" },
        FieldSet { key: "fr" },
        FieldSet { key: "es" },
        FieldSet { key: "it" },
        FieldSet { key: "pt" },
        FieldSet { key: "nl" },
        FieldSet { key: "cjk" },
        FieldSet { key: "plain" },
    ];

    /// The fields of a passage in `language` (an ISO 639-1 code, or `und`). Passages whose
    /// language is not known share the English fields, as locally they share one field with
    /// the English passages: a word's frequency and the average length then count them
    /// together (they are stemmed there, where locally they are only folded).
    pub fn of(language: &str) -> FieldSet {
        let key = match language {
            "zh" | "ja" | "ko" => "cjk",
            crate::analysis::UNDETERMINED => "en",
            code => match Analysis::of(code) {
                Analysis::Plain => "plain",
                _ => FieldSet::ALL
                    .iter()
                    .find(|f| f.key == code)
                    .map_or("plain", |f| f.key),
            },
        };
        FieldSet { key }
    }

    /// `body_<key>`.
    pub fn body(self) -> String {
        format!("body_{}", self.key)
    }

    /// `title_<key>`.
    pub fn title(self) -> String {
        format!("title_{}", self.key)
    }

    fn analyzer(self) -> Value {
        let marks = ["loupe_marks", "loupe_dotless"];
        let (char_filters, tokenizer, filters): (&[&str], &str, Vec<&str>) = match self.key {
            "tr" => (
                &["loupe_marks"],
                "loupe_words",
                vec![
                    "loupe_turkish_lowercase",
                    "loupe_long",
                    "loupe_after_apostrophe",
                    "loupe_stem_tr",
                    "asciifolding",
                ],
            ),
            "az" => (
                &["loupe_marks"],
                "loupe_words",
                vec![
                    "loupe_turkish_lowercase",
                    "loupe_long",
                    "loupe_after_apostrophe",
                    "asciifolding",
                ],
            ),
            "fr" | "it" => (
                &marks,
                "loupe_words",
                vec![
                    "lowercase",
                    "loupe_long",
                    "loupe_before_apostrophe",
                    "asciifolding",
                    if self.key == "fr" {
                        "loupe_stem_fr"
                    } else {
                        "loupe_stem_it"
                    },
                ],
            ),
            "cjk" => (
                &marks,
                "standard",
                vec![
                    "cjk_width",
                    "lowercase",
                    "loupe_long",
                    "asciifolding",
                    "loupe_bigrams",
                ],
            ),
            "plain" => (
                &marks,
                "loupe_words",
                vec!["lowercase", "loupe_long", "asciifolding"],
            ),
            key => (
                &marks,
                "loupe_words",
                vec![
                    "lowercase",
                    "loupe_long",
                    "asciifolding",
                    stemmer_filter_name(key),
                ],
            ),
        };
        json!({
            "type": "custom",
            "char_filter": char_filters,
            "tokenizer": tokenizer,
            "filter": filters,
        })
    }
}

/// The Snowball languages, by field-set key: `(key, Lucene's name for the language)`.
const SNOWBALL: [(&str, &str); 9] = [
    ("en", "English"),
    ("ru", "Russian"),
    ("tr", "Turkish"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("it", "Italian"),
    ("pt", "Portuguese"),
    ("nl", "Dutch"),
];

fn stemmer_filter_name(key: &str) -> &'static str {
    match key {
        "en" => "loupe_stem_en",
        "ru" => "loupe_stem_ru",
        "de" => "loupe_stem_de",
        "es" => "loupe_stem_es",
        "pt" => "loupe_stem_pt",
        "nl" => "loupe_stem_nl",
        other => unreachable!("no stemmer filter for {other}"),
    }
}

/// The body of the request that creates the remote index, set up for loading: no replicas
/// and no refreshes until the first push is over ([`serving_settings`] then makes it
/// `replicas` copies, refreshed every second). The wanted replicas are kept in the mapping's
/// `_meta`, so that a push interrupted while loading still ends with them.
pub fn index_definition(shards: u32, replicas: u32) -> Value {
    let mut mappings = mappings();
    mappings["_meta"]["replicas"] = json!(replicas);
    json!({
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": 0,
                "refresh_interval": "-1",
            },
            "analysis": analysis_settings(),
        },
        "mappings": mappings,
    })
}

/// The settings of an index ready for searching: `replicas` copies of each shard, and new
/// passages visible within a second.
pub fn serving_settings(replicas: u64) -> Value {
    json!({"index": {"number_of_replicas": replicas, "refresh_interval": null}})
}

fn analysis_settings() -> Value {
    // Typographic apostrophes made straight, combining marks dropped, final sigma made sigma
    // (as loupe's word tokenizer does); dotted and dotless i made `i` outside Turkish.
    let mut marks: Vec<String> = ["\u{2019}", "\u{02BC}", "\u{2018}"]
        .iter()
        .map(|a| format!("{a}=>'"))
        .collect();
    marks.extend(
        (0x300u32..=0x36F)
            .chain(0x1AB0..=0x1AFF)
            .chain(0x1DC0..=0x1DFF)
            .chain(0x20D0..=0x20FF)
            .chain(0xFE20..=0xFE2F)
            .filter_map(char::from_u32)
            .map(|c| format!("{c}=>")),
    );
    marks.push("ς=>σ".into());
    let mut filters = Map::new();
    filters.insert("loupe_long".into(), json!({"type": "length", "max": 48}));
    filters.insert(
        "loupe_turkish_lowercase".into(),
        json!({"type": "lowercase", "language": "turkish"}),
    );
    filters.insert(
        "loupe_after_apostrophe".into(),
        json!({"type": "pattern_replace", "pattern": "'.*", "replacement": ""}),
    );
    filters.insert(
        "loupe_before_apostrophe".into(),
        json!({"type": "pattern_replace", "pattern": ".*'", "replacement": ""}),
    );
    filters.insert(
        "loupe_bigrams".into(),
        json!({"type": "cjk_bigram", "output_unigrams": true}),
    );
    for (key, language) in SNOWBALL {
        filters.insert(
            format!("loupe_stem_{key}"),
            json!({"type": "snowball", "language": language}),
        );
    }
    let mut analyzers = Map::new();
    for set in FieldSet::ALL {
        analyzers.insert(format!("loupe_{}", set.key), set.analyzer());
    }
    let cjk = r"\p{IsHan}\p{IsHiragana}\p{IsKatakana}\p{IsHangul}";
    json!({
        "char_filter": {
            "loupe_marks": {"type": "mapping", "mappings": marks},
            "loupe_dotless": {"type": "mapping", "mappings": ["ı=>i", "İ=>i"]},
        },
        "tokenizer": {
            "loupe_words": {
                "type": "pattern",
                // A word: letters, digits and marks, with apostrophes inside; a CJK character
                // on its own.
                "pattern": format!(r"[\p{{L}}\p{{N}}\p{{M}}&&[^{cjk}]]+(?:'[\p{{L}}\p{{N}}\p{{M}}&&[^{cjk}]]+)*|[{cjk}]"),
                "group": 0,
            },
        },
        "filter": filters,
        "analyzer": analyzers,
    })
}

fn mappings() -> Value {
    let stored_only = json!({"type": "text", "index": false});
    let mut properties = Map::new();
    properties.insert("path".into(), json!({"type": "keyword"}));
    properties.insert("file_hash".into(), json!({"type": "keyword"}));
    properties.insert("passages".into(), json!({"type": "integer"}));
    properties.insert("title".into(), stored_only.clone());
    properties.insert("text".into(), stored_only);
    properties.insert(
        "date".into(),
        json!({"type": "date", "format": "yyyy-MM-dd"}),
    );
    for field in ["passage", "line", "column"] {
        properties.insert(field.into(), json!({"type": "integer"}));
    }
    for field in ["byte_start", "byte_end"] {
        properties.insert(field.into(), json!({"type": "long"}));
    }
    properties.insert("lang".into(), json!({"type": "keyword"}));
    properties.insert("content_hash".into(), json!({"type": "keyword"}));
    for set in FieldSet::ALL {
        let analyzed = json!({"type": "text", "analyzer": format!("loupe_{}", set.key)});
        properties.insert(set.body(), analyzed.clone());
        properties.insert(set.title(), analyzed);
    }
    json!({
        "dynamic": "strict",
        "_meta": {"loupe_mapping": MAPPING_VERSION},
        // The searched copies are not kept: a hit is printed from `title` and `text`.
        "_source": {"excludes": ["body_*", "title_*"]},
        "properties": properties,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_go_to_their_language_fields() {
        assert_eq!(FieldSet::of("en").body(), "body_en");
        assert_eq!(FieldSet::of("ru").title(), "title_ru");
        assert_eq!(FieldSet::of("zh").key, "cjk");
        assert_eq!(FieldSet::of("und").key, "en");
        assert_eq!(FieldSet::of("uk").key, "plain");
        assert_eq!(FieldSet::of("nl").key, "nl");
    }

    #[test]
    fn every_analyzer_names_filters_that_are_defined() {
        let definition = index_definition(3, 1);
        let analysis = &definition["settings"]["analysis"];
        let builtin = ["lowercase", "asciifolding", "cjk_width"];
        for set in FieldSet::ALL {
            let analyzer = &analysis["analyzer"][format!("loupe_{}", set.key)];
            for filter in analyzer["filter"].as_array().unwrap() {
                let name = filter.as_str().unwrap();
                assert!(
                    builtin.contains(&name) || analysis["filter"].get(name).is_some(),
                    "{name} of {}",
                    set.key
                );
            }
            let mappings = &definition["mappings"]["properties"];
            assert!(mappings.get(set.body()).is_some());
        }
    }
}
