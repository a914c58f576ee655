//! `export`: the local index → an OpenSearch/Elasticsearch bulk file and
//! index template, for archives that outgrow one machine.
//!
//! Takes a [`PassageIndex`]; gives
//!
//! * [`write_bulk`]: `_bulk` NDJSON, one action line
//!   `{"index":{"_index":…,"_id":…}}` and one source line per indexed
//!   passage. `_id` is `<doc_id>-<passage_index>`, `doc_id` being the local
//!   index's document id, so a re-export overwrites instead of duplicating
//!   and hits group by `doc_id` as locally. The source holds every stored
//!   field plus the derived filter fields the local index keeps unstored
//!   (`body_key`, `gremium_key`, `reference_key`, `date_value`, `year`).
//! * [`template`]: an `_index_template` whose analysis follows ratsuche's
//!   chains as far as OpenSearch's built-in filters allow (see
//!   `docs/scale-out.md` for the differences), with keyword, date and
//!   integer fields for the facets and filters.
//!
//! Why not a home-made cluster: sharding, replication and distributed
//! scoring are what those engines do well; ratsuche's job is to hand them
//! clean, structured passages.

use std::io::Write;

use serde_json::{json, Map, Value};
use tantivy::schema::Value as _;
use tantivy::TantivyDocument;

use crate::analysis;
use crate::error::{Error, Result};
use crate::index::schema::{keyword_key, parse_date, reference_keys};
use crate::index::PassageIndex;

/// Default target index name (the template matches `ratsuche*`).
pub const DEFAULT_INDEX_NAME: &str = "ratsuche";
/// Where the template expects the decompounding word list on every node,
/// relative to the node's config directory.
pub const WORD_LIST_PATH: &str = "analysis/ratsuche_de_words.txt";
/// Shortest compound part OpenSearch's decompounder may emit. Longer than
/// ratsuche's own minimum (3): Lucene's `dictionary_decompounder` has no
/// frequency or Fugen rules and emits *every* dictionary word inside a
/// token, so three-letter words would match inside far too many words.
pub const MIN_SUBWORD: usize = 4;

const GERMAN_WORDS: &str = include_str!("analysis/dict/de_words.tsv");

/// The words of ratsuche's decompounding dictionary that can be compound
/// parts in OpenSearch (at least [`MIN_SUBWORD`] characters), most
/// frequent first: the `word_list` of the template's decompounder.
pub fn dictionary_words() -> impl Iterator<Item = &'static str> {
    GERMAN_WORDS
        .lines()
        .filter_map(|line| line.split('\t').next())
        .map(str::trim)
        .filter(|w| w.chars().count() >= MIN_SUBWORD)
}

/// How the template refers to the decompounding word list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum WordList {
    /// `word_list_path` [`WORD_LIST_PATH`]: the file (written by
    /// `ratsuche export --word-list`) must be on every node.
    #[default]
    Path,
    /// The words inline in the settings (about 50,000 words, ~600 KB of
    /// cluster state; for managed clusters without config-file access).
    Inline,
}

/// Options of [`template`].
#[derive(Debug, Clone)]
pub struct TemplateOptions {
    pub words: WordList,
    /// Synonym groups in ratsuche's format (one comma-separated group a
    /// line, `#` comments), which is also Solr's equivalence format: applied
    /// by `synonym_graph` at query time only, as ratsuche expands queries.
    pub synonyms: Option<String>,
}

impl Default for TemplateOptions {
    /// Word list by path, ratsuche's built-in synonym groups.
    fn default() -> Self {
        TemplateOptions {
            words: WordList::Path,
            synonyms: Some(analysis::synonyms::BUILTIN.to_string()),
        }
    }
}

/// What [`write_bulk`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportReport {
    pub passages: usize,
    pub documents: usize,
}

fn out_err(e: std::io::Error) -> Error {
    Error::io("export output", e)
}

/// Write every live passage of `index` as `_bulk` NDJSON to `out`.
pub fn write_bulk(
    index: &PassageIndex,
    index_name: &str,
    out: &mut dyn Write,
) -> Result<ExportReport> {
    let searcher = index.reader()?.searcher();
    let schema = index.tantivy().schema();
    let mut report = ExportReport::default();
    let mut docs = std::collections::HashSet::new();
    for segment in searcher.segment_readers() {
        let store = segment
            .get_store_reader(64)
            .map_err(|e| Error::Index(e.into()))?;
        for doc_id in segment.doc_ids_alive() {
            let doc: TantivyDocument = store.get(doc_id)?;
            let source = source_of(&doc, &schema);
            let id = format!(
                "{}-{}",
                source["doc_id"].as_str().unwrap_or_default(),
                source["passage_index"].as_u64().unwrap_or_default()
            );
            let action = json!({"index": {"_index": index_name, "_id": id}});
            serde_json::to_writer(&mut *out, &action).map_err(|e| out_err(e.into()))?;
            out.write_all(b"\n").map_err(out_err)?;
            serde_json::to_writer(&mut *out, &source).map_err(|e| out_err(e.into()))?;
            out.write_all(b"\n").map_err(out_err)?;
            report.passages += 1;
            if let Some(d) = source["doc_id"].as_str() {
                docs.insert(d.to_string());
            }
        }
    }
    out.flush().map_err(out_err)?;
    report.documents = docs.len();
    Ok(report)
}

/// The bulk source of one stored passage.
fn source_of(doc: &TantivyDocument, schema: &tantivy::schema::Schema) -> Value {
    let mut obj = Map::new();
    for (field, entry) in schema.fields() {
        if !entry.is_stored() {
            continue;
        }
        let name = entry.name();
        let values: Vec<Value> = doc
            .get_all(field)
            .filter_map(|v| {
                if let Some(s) = v.as_str() {
                    Some(Value::from(s))
                } else {
                    v.as_u64().map(Value::from)
                }
            })
            .collect();
        let value = if name == "dates_mentioned" {
            Value::Array(values)
        } else {
            match values.into_iter().next() {
                Some(v) => v,
                None => continue,
            }
        };
        obj.insert(name.to_string(), value);
    }
    if let Some(r) = obj.get("reference").and_then(Value::as_str) {
        let keys = reference_keys(r);
        obj.insert("reference_key".into(), Value::from(keys));
    }
    for (key, from) in [("body_key", "body"), ("gremium_key", "gremium")] {
        if let Some(v) = obj.get(from).and_then(Value::as_str) {
            let k = keyword_key(v);
            obj.insert(key.to_string(), Value::from(k));
        }
    }
    if let Some(date) = obj.get("date").and_then(Value::as_str).map(str::to_string) {
        if parse_date(&date).is_some() {
            let day = if date.len() == 7 {
                format!("{date}-01")
            } else {
                date.clone()
            };
            let year: Option<u64> = date.get(..4).and_then(|y| y.parse().ok());
            obj.insert("date_value".into(), Value::from(day));
            if let Some(year) = year {
                obj.insert("year".into(), Value::from(year));
            }
        }
    }
    Value::Object(obj)
}

fn keyword() -> Value {
    json!({"type": "keyword"})
}

/// The index template (`PUT _index_template/ratsuche`).
pub fn template(options: &TemplateOptions) -> Value {
    let stop_de: Vec<&str> = analysis::stopwords::GERMAN_STOP_WORDS.to_vec();
    let stop_en: Vec<&str> = analysis::stopwords::ENGLISH_STOP_WORDS.to_vec();
    let mut decompound = json!({
        "type": "dictionary_decompounder",
        "min_word_size": 2 * MIN_SUBWORD,
        "min_subword_size": MIN_SUBWORD,
        "max_subword_size": 30,
        "only_longest_match": false
    });
    match options.words {
        WordList::Path => decompound["word_list_path"] = Value::from(WORD_LIST_PATH),
        WordList::Inline => {
            decompound["word_list"] = Value::from(dictionary_words().collect::<Vec<_>>())
        }
    }
    let mut filters = json!({
        "ratsuche_long": {"type": "length", "max": analysis::MAX_TOKEN_BYTES - 1},
        "ratsuche_de_stop": {"type": "stop", "stopwords": stop_de},
        "ratsuche_de_decompound": decompound,
        "ratsuche_de_stem": {"type": "snowball", "language": "German"},
        "ratsuche_en_stop": {"type": "stop", "stopwords": stop_en},
        "ratsuche_en_stem": {"type": "snowball", "language": "English"}
    });
    let mut query_chain = vec!["ratsuche_long", "lowercase", "ratsuche_de_stop"];
    if let Some(rules) = &options.synonyms {
        let rules: Vec<&str> = rules
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        // `lenient`: a variant made only of stop words is skipped instead of
        // failing the whole template.
        filters["ratsuche_synonyms"] =
            json!({"type": "synonym_graph", "synonyms": rules, "lenient": true});
        query_chain.push("ratsuche_synonyms");
    }
    query_chain.extend(["ratsuche_de_stem", "german_normalization"]);
    let text = |raw: bool| {
        let mut t = json!({
            "type": "text",
            "analyzer": "ratsuche_de",
            "search_analyzer": "ratsuche_de_query",
            "fields": {"en": {"type": "text", "analyzer": "ratsuche_en"}}
        });
        if raw {
            t["fields"]["raw"] = json!({"type": "keyword", "ignore_above": 1024});
        }
        t
    };
    json!({
        "index_patterns": [format!("{DEFAULT_INDEX_NAME}*")],
        "_meta": {
            "generator": concat!("ratsuche ", env!("CARGO_PKG_VERSION")),
            "schema_version": crate::index::SCHEMA_VERSION
        },
        "template": {
            "settings": {
                "index": {"number_of_shards": 1, "number_of_replicas": 1},
                "analysis": {
                    "char_filter": {
                        // Keep "0412/2025" one token, as ratsuche's tokenizer does.
                        "ratsuche_references": {
                            "type": "pattern_replace",
                            "pattern": "(\\d)/(?=\\d)",
                            "replacement": "$1_"
                        }
                    },
                    "filter": filters,
                    "analyzer": {
                        "ratsuche_de": {
                            "type": "custom",
                            "char_filter": ["ratsuche_references"],
                            "tokenizer": "standard",
                            "filter": ["ratsuche_long", "lowercase", "ratsuche_de_stop",
                                       "ratsuche_de_decompound", "ratsuche_de_stem",
                                       "german_normalization"]
                        },
                        "ratsuche_de_query": {
                            "type": "custom",
                            "char_filter": ["ratsuche_references"],
                            "tokenizer": "standard",
                            "filter": query_chain
                        },
                        "ratsuche_en": {
                            "type": "custom",
                            "char_filter": ["ratsuche_references"],
                            "tokenizer": "standard",
                            "filter": ["ratsuche_long", "lowercase", "ratsuche_en_stop",
                                       "ratsuche_en_stem"]
                        }
                    }
                }
            },
            "mappings": {
                "dynamic": "strict",
                "properties": {
                    "doc_id": keyword(),
                    "path": keyword(),
                    "file": keyword(),
                    "hash": keyword(),
                    "passage_index": {"type": "integer"},
                    "page": {"type": "integer"},
                    "kind": keyword(),
                    "number": keyword(),
                    "title": text(true),
                    "text": text(false),
                    "language": keyword(),
                    "doc_type": keyword(),
                    "body": keyword(),
                    "body_key": keyword(),
                    "gremium": keyword(),
                    "gremium_key": keyword(),
                    "date": keyword(),
                    "date_value": {"type": "date", "format": "strict_date"},
                    "year": {"type": "integer"},
                    "dates_mentioned": keyword(),
                    "reference": keyword(),
                    "reference_key": keyword(),
                    "text_source": keyword()
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_words_are_long_enough_and_plain() {
        let words: Vec<&str> = dictionary_words().collect();
        assert!(words.len() > 10_000, "{}", words.len());
        assert!(words
            .iter()
            .all(|w| w.chars().count() >= MIN_SUBWORD && !w.contains('\t')));
        assert!(words.contains(&"stadt"));
    }

    #[test]
    fn synonyms_go_to_the_query_analyzer_only() {
        let t = template(&TemplateOptions {
            words: WordList::Path,
            synonyms: Some("# comment\nkita, kindertagesstätte\n\n".into()),
        });
        let analysis = &t["template"]["settings"]["analysis"];
        assert_eq!(
            analysis["filter"]["ratsuche_synonyms"]["synonyms"],
            json!(["kita, kindertagesstätte"])
        );
        let chain = |a: &str| {
            analysis["analyzer"][a]["filter"]
                .as_array()
                .unwrap()
                .clone()
        };
        assert!(chain("ratsuche_de_query").contains(&json!("ratsuche_synonyms")));
        assert!(!chain("ratsuche_de").contains(&json!("ratsuche_synonyms")));
    }
}
