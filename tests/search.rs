//! Search over passages through the library API: headings, filters,
//! listings, facets and sort order, on an index of a temp copy of `corpus/`
//! (built once, read by every test) and on small hand-made documents.

mod corpus_index;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ratsuche::analysis::Lang;
use ratsuche::index::{IndexedDocument, PassageIndex};
use ratsuche::ingest::{self, IngestOptions, NoProgress};
use ratsuche::model::{DocMeta, Passage, PassageKind};
use ratsuche::search::{
    self, parse_doc_type, parse_kind, DateBound, Filters, SearchRequest, SearchResults, Sort,
};
use ratsuche::structure::DocType;
use ratsuche::Error;
use tempfile::TempDir;

const ARZTLOTSE: &str = "000_f6b0283b3a559d13.lo.pdf";
const KONZEPT: &str = "001_a00c5b5ad5e75977.lo.pdf";
/// anfrage_antwort, Wartburgkreis, 2025-11-10.
const WARTBURG: &str = "002_331fdc71ca8572da.lo.pdf";
const PROJEKT: &str = "003_870927ed1bb89770.lo.pdf";
/// anfrage_antwort, Kreis Heinsberg, dated by its session: 2026-03-25.
const HEINSBERG: &str = "004_73665f4fe7c8e88e.lo.pdf";

/// The corpus, copied to a temp dir and indexed once for all tests.
struct Corpus {
    _dir: TempDir,
    docs: PathBuf,
    index: PassageIndex,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let (dir, docs, index) = corpus_index::index_corpus();
        Corpus {
            _dir: dir,
            docs,
            index,
        }
    })
}

fn request(query: &str, filters: Filters) -> SearchRequest {
    SearchRequest {
        filters,
        limit: 100,
        ..SearchRequest::new(query)
    }
}

fn run(query: &str, filters: Filters) -> SearchResults {
    search::search(&corpus().index, &request(query, filters)).unwrap()
}

fn file_name(file: &str) -> &str {
    Path::new(file).file_name().unwrap().to_str().unwrap()
}

/// File names of the hits, in order.
fn files(results: &SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| file_name(&h.file)).collect()
}

fn sorted(mut names: Vec<&str>) -> Vec<&str> {
    names.sort();
    names
}

fn date(s: &str) -> Option<DateBound> {
    Some(s.parse().unwrap())
}

#[test]
fn arztlotse_is_found_in_its_stichwort_passage() {
    let results = run("Arztlotse", Filters::default());
    let hit = &results.hits[0];
    assert_eq!(file_name(&hit.file), ARZTLOTSE);
    assert_eq!(
        (hit.kind.as_str(), hit.number.as_deref(), hit.page),
        ("stichwort", Some("1.2"), 1)
    );
    let heading = hit.heading.as_deref().unwrap();
    assert!(
        heading.starts_with("Stichwort 1.2 — Projekt des Ilm-Kreises zur Fachkräftesicherung"),
        "{heading}"
    );
    assert_eq!(hit.location(), format!("{heading}, S. 1"));
    assert_eq!(hit.doc_type.as_deref(), Some("information"));
    assert_eq!(hit.body.as_deref(), Some("Ilm-Kreis"));
    assert_eq!(hit.gremium.as_deref(), Some("Kreistag"));
}

#[test]
fn text_passages_have_no_heading_and_are_located_by_file() {
    let results = run(
        "*",
        Filters {
            kind: Some(PassageKind::Text),
            doc_type: Some(DocType::Konzept),
            ..Filters::default()
        },
    );
    let hit = &results.hits[0];
    assert_eq!(hit.kind, "text");
    assert_eq!(hit.heading, None);
    assert_eq!(hit.location(), format!("{}, S. {}", hit.file, hit.page));
}

#[test]
fn type_filter_restricts_to_documents_of_that_type() {
    assert!(run("Integration", Filters::default()).total > 1);
    let konzept = Filters {
        doc_type: Some(DocType::Konzept),
        ..Filters::default()
    };
    let results = run("Integration", konzept.clone());
    assert_eq!(files(&results), [KONZEPT]);
    assert_eq!(results.total, 1);
    assert!(results
        .hits
        .iter()
        .all(|h| h.doc_type.as_deref() == Some("konzept")));
    let listing = run("", konzept);
    assert!(listing.listing);
    assert_eq!(files(&listing), [KONZEPT]);
}

#[test]
fn date_range_filters_on_the_document_date() {
    let range = |from: Option<&str>, to: Option<&str>| {
        let results = run(
            "*",
            Filters {
                from: from.and_then(date),
                to: to.and_then(date),
                ..Filters::default()
            },
        );
        let mut names: Vec<String> = files(&results).iter().map(|s| s.to_string()).collect();
        names.sort();
        names
    };
    assert_eq!(range(Some("2025"), Some("2025")), [WARTBURG]);
    assert_eq!(range(None, Some("2025-12-31")), [WARTBURG]);
    assert_eq!(range(Some("2026"), None), [HEINSBERG]);
    assert_eq!(range(Some("2026-03"), Some("2026-03")), [HEINSBERG]);
    // Both bounds are inclusive days.
    assert_eq!(range(Some("2026-03-25"), Some("2026-03-25")), [HEINSBERG]);
    assert_eq!(range(Some("2025-11-10"), Some("2025-11-10")), [WARTBURG]);
    assert!(range(Some("2025-11-11"), Some("2026-03-24")).is_empty());
    // Undated documents are outside every range.
    assert_eq!(range(Some("1900"), Some("2100")), [WARTBURG, HEINSBERG]);
}

#[test]
fn body_and_gremium_filters_ignore_case_and_separators() {
    for spelling in ["Ilm-Kreis", "ilm-kreis", "ILM KREIS"] {
        let results = run(
            "*",
            Filters {
                body: Some(spelling.into()),
                ..Filters::default()
            },
        );
        assert_eq!(
            sorted(files(&results)),
            [ARZTLOTSE, KONZEPT, PROJEKT],
            "{spelling}"
        );
    }
    let kreistag = run(
        "*",
        Filters {
            gremium: Some("kreistag".into()),
            ..Filters::default()
        },
    );
    assert_eq!(files(&kreistag), [ARZTLOTSE]);
    let nowhere = run(
        "Integration",
        Filters {
            body: Some("Wartburgkreis".into()),
            gremium: Some("Kreistag".into()),
            ..Filters::default()
        },
    );
    assert_eq!(nowhere.total, 0);
}

#[test]
fn stichwort_filter_keeps_only_stichwort_passages_with_that_title() {
    let results = run(
        "*",
        Filters {
            stichwort: Some("grüne woche".into()),
            ..Filters::default()
        },
    );
    assert_eq!(results.total_passages, 1);
    let hit = &results.hits[0];
    assert_eq!(
        (
            hit.kind.as_str(),
            hit.number.as_deref(),
            hit.title.as_deref()
        ),
        ("stichwort", Some("1.1"), Some("Grüne Woche"))
    );
    // Title words are analysed: the singular finds "Verkehrskonferenzen".
    let inflected = run(
        "Bürgerbeteiligung",
        Filters {
            stichwort: Some("Verkehrskonferenz".into()),
            ..Filters::default()
        },
    );
    assert_eq!(inflected.hits[0].number.as_deref(), Some("1.6"));
    // A word in the text but not the title of a Stichwort does not qualify.
    let in_text_only = run(
        "*",
        Filters {
            stichwort: Some("Arztlotse".into()),
            ..Filters::default()
        },
    );
    assert_eq!(in_text_only.total, 0);
}

#[test]
fn handlungsfeld_and_kind_filters_select_passage_kinds() {
    let wohnen = run(
        "*",
        Filters {
            handlungsfeld: Some("Wohnen".into()),
            ..Filters::default()
        },
    );
    assert_eq!(files(&wohnen), [KONZEPT]);
    assert_eq!(
        wohnen.hits[0].heading.as_deref(),
        Some("Handlungsfeld 5.4 — Wohnen")
    );

    let mut all = request(
        "Stelle",
        Filters {
            kind: Some(PassageKind::Qa),
            ..Filters::default()
        },
    );
    all.all_passages = true;
    let qa = search::search(&corpus().index, &all).unwrap();
    assert!(qa.hits.len() > 2);
    for hit in &qa.hits {
        assert_eq!(hit.kind, "qa");
        assert!(
            hit.heading.as_deref().unwrap().starts_with("Frage "),
            "{hit:?}"
        );
    }
    assert_eq!(sorted(files(&qa)).first(), Some(&WARTBURG));
}

/// What `inspect` recognises in each corpus file: the facts the index holds.
fn inspected() -> Vec<ingest::Inspection> {
    let mut all: Vec<_> = fs::read_dir(&corpus().docs)
        .unwrap()
        .map(|e| ingest::inspect(&e.unwrap().path()).unwrap())
        .collect();
    all.sort_by(|a, b| a.file.cmp(&b.file));
    all
}

fn counts(facet: &search::FacetCounts) -> BTreeMap<String, usize> {
    facet.iter().map(|(v, n)| (v.to_string(), n)).collect()
}

#[test]
fn facets_count_the_indexed_documents() {
    let mut expected: HashMap<&str, BTreeMap<String, usize>> = HashMap::new();
    let inspected = inspected();
    for i in &inspected {
        let s = &i.structure;
        let mut add = |facet: &'static str, value: Option<String>| {
            if let Some(value) = value {
                *expected.entry(facet).or_default().entry(value).or_default() += 1;
            }
        };
        add("type", Some(s.doc_type.to_string()));
        add("year", s.date.as_ref().map(|d| d[..4].to_string()));
        add("body", s.body.clone());
        add("gremium", s.gremium.clone());
        let mut titles: Vec<&String> = s.handlungsfelder.iter().map(|h| &h.title).collect();
        titles.dedup();
        for title in titles {
            add("handlungsfeld", Some(title.clone()));
        }
    }
    let results = run("*", Filters::default());
    assert_eq!(results.total, 5);
    let f = &results.facets;
    for (name, facet) in [
        ("type", &f.doc_type),
        ("year", &f.year),
        ("body", &f.body),
        ("gremium", &f.gremium),
        ("handlungsfeld", &f.handlungsfeld),
    ] {
        assert_eq!(
            counts(facet),
            expected.remove(name).unwrap_or_default(),
            "{name}"
        );
    }
    assert_eq!(f.doc_type.get("anfrage_antwort"), 2);
    assert_eq!(f.body.get("Ilm-Kreis"), 3);
    // Years newest first.
    let years: Vec<&str> = f.year.iter().map(|(y, _)| y).collect();
    assert_eq!(years, ["2026", "2025"]);
}

#[test]
fn facets_count_documents_not_passages_and_follow_the_filters() {
    let mut all = request("Stabsstelle", Filters::default());
    all.all_passages = true;
    let results = search::search(&corpus().index, &all).unwrap();
    assert!(results.total_passages > 1);
    assert_eq!(results.facets.doc_type.get("anfrage_antwort"), 1);
    // Only the Handlungsfelder whose passages match are counted.
    let wohnen = run(
        "*",
        Filters {
            handlungsfeld: Some("Wohnen".into()),
            ..Filters::default()
        },
    );
    assert_eq!(counts(&wohnen.facets.handlungsfeld).len(), 1);
    assert_eq!(wohnen.facets.handlungsfeld.get("Wohnen"), 1);
    let json = serde_json::to_value(&wohnen).unwrap();
    assert_eq!(json["facets"]["handlungsfeld"]["Wohnen"], 1);
    assert_eq!(json["facets"]["type"]["konzept"], 1);
}

#[test]
fn listings_are_newest_first_and_sort_date_orders_any_query() {
    let listing = run("*", Filters::default());
    assert_eq!(listing.sort, Sort::Date);
    let names = files(&listing);
    assert_eq!(&names[..2], [HEINSBERG, WARTBURG]);
    assert!(listing.hits[2..].iter().all(|h| h.date.is_none()));
    // A listing shows each document's first passage.
    assert!(listing.hits.iter().all(|h| h.passage_index == 0));

    let by_relevance = run("Netzwerk", Filters::default());
    assert_eq!(by_relevance.sort, Sort::Relevance);
    let mut by_date = request("Netzwerk", Filters::default());
    by_date.sort = Some(Sort::Date);
    let by_date = search::search(&corpus().index, &by_date).unwrap();
    let dates: Vec<Option<&str>> = by_date.hits.iter().map(|h| h.date.as_deref()).collect();
    assert_eq!(&dates[..2], [Some("2026-03-25"), Some("2025-11-10")]);
    assert!(
        dates[2..].iter().all(Option::is_none),
        "undated documents last"
    );
    assert_eq!(
        files(&by_relevance)[0],
        WARTBURG,
        "premise: relevance differs"
    );
    assert_eq!(by_date.total, by_relevance.total);
}

#[test]
fn filters_restrict_but_do_not_change_scores() {
    let plain = run("Integration", Filters::default());
    let filtered = run(
        "Integration",
        Filters {
            body: Some("Ilm-Kreis".into()),
            kind: Some(PassageKind::Handlungsfeld),
            ..Filters::default()
        },
    );
    let mut all = request("Integration", Filters::default());
    all.all_passages = true;
    let every = search::search(&corpus().index, &all).unwrap();
    for hit in &filtered.hits {
        let same = every
            .hits
            .iter()
            .find(|h| h.doc_id == hit.doc_id && h.passage_index == hit.passage_index)
            .unwrap();
        assert_eq!(same.score, hit.score);
    }
    assert!(filtered.total < plain.total + 1 && !filtered.hits.is_empty());
}

#[test]
fn bad_filter_values_give_clear_errors() {
    let err = parse_doc_type("konzpt").unwrap_err().to_string();
    assert!(err.contains("konzpt") && err.contains("konzept"), "{err}");
    let err = parse_kind("absatz").unwrap_err().to_string();
    assert!(
        err.contains("stichwort, handlungsfeld, agenda, qa, text"),
        "{err}"
    );
    for bad in ["2025-13", "2025-02-30", "Januar", "25"] {
        let err = bad.parse::<DateBound>().unwrap_err().to_string();
        assert!(err.contains(bad) && err.contains("YYYY-MM-DD"), "{err}");
    }
    assert!("newest".parse::<Sort>().is_err());

    let refused = |filters: Filters, query: &str| {
        let err = search::search(&corpus().index, &request(query, filters)).unwrap_err();
        assert!(matches!(err, Error::Query(_)), "{err}");
        err.to_string()
    };
    let err = refused(
        Filters {
            from: date("2025"),
            to: date("2024"),
            ..Filters::default()
        },
        "*",
    );
    assert!(err.contains("from 2025 is after to 2024"), "{err}");
    let err = refused(
        Filters {
            stichwort: Some("Woche".into()),
            kind: Some(PassageKind::Qa),
            ..Filters::default()
        },
        "*",
    );
    assert!(err.contains("stichwort"), "{err}");
    let err = refused(
        Filters {
            stichwort: Some("in".into()),
            ..Filters::default()
        },
        "*",
    );
    assert!(err.contains("stop words"), "{err}");
    let err = refused(Filters::default(), "  ");
    assert!(err.contains("empty"), "{err}");
}

// Hand-made documents: what ranking and grouping do with controlled input.

fn passage(kind: PassageKind, number: &str, title: Option<&str>, text: &str) -> Passage {
    Passage {
        kind,
        page: 1,
        number: Some(number.to_string()),
        title: title.map(str::to_string),
        text: text.to_string(),
    }
}

fn document(name: &str, date: Option<&str>, passages: Vec<Passage>) -> IndexedDocument {
    IndexedDocument {
        path: PathBuf::from(format!("/x/{name}")),
        file: name.to_string(),
        hash: "0".repeat(64),
        language: Lang::German,
        meta: DocMeta {
            doc_type: Some("information".into()),
            body: Some("Ilm-Kreis".into()),
            date: date.map(str::to_string),
            ..DocMeta::default()
        },
        passages,
        page_sources: Vec::new(),
    }
}

fn index_of(dir: &TempDir, docs: &[IndexedDocument]) -> PassageIndex {
    let index = PassageIndex::open_or_create(&dir.path().join("index")).unwrap();
    let mut writer = index.writer(30_000_000).unwrap();
    for doc in docs {
        writer.replace(doc).unwrap();
    }
    writer.finish().unwrap();
    index
}

#[test]
fn a_title_match_outranks_a_text_only_match() {
    let dir = TempDir::new().unwrap();
    let index = index_of(
        &dir,
        &[
            document(
                "text.pdf",
                None,
                vec![passage(
                    PassageKind::Stichwort,
                    "1.1",
                    Some("Ärztliche Versorgung"),
                    "Der Radweg ist fertig. Der Radweg ist breit. Ein Radweg.",
                )],
            ),
            document(
                "title.pdf",
                None,
                vec![passage(
                    PassageKind::Stichwort,
                    "1.2",
                    Some("Radweg"),
                    "Die Verwaltung berichtet über den Stand der Arbeiten an der \
                     neuen Verbindung zwischen den Orten und über die Kosten.",
                )],
            ),
        ],
    );
    let results = search::search(&index, &SearchRequest::new("Radweg")).unwrap();
    assert_eq!(files(&results), ["title.pdf", "text.pdf"]);
    assert_eq!(
        results.hits[0].heading.as_deref(),
        Some("Stichwort 1.2 — Radweg")
    );
}

#[test]
fn best_passage_per_document_or_all_passages_with_date_order() {
    let dir = TempDir::new().unwrap();
    let index = index_of(
        &dir,
        &[
            document(
                "old.pdf",
                Some("2023-05"),
                vec![
                    passage(PassageKind::Agenda, "5", Some("Haushalt"), "Haushalt"),
                    passage(
                        PassageKind::Agenda,
                        "6",
                        Some("Schulen"),
                        "Haushalt der Schulen",
                    ),
                ],
            ),
            document(
                "new.pdf",
                Some("2025-02-01"),
                vec![passage(PassageKind::Qa, "1", Some("Wie hoch?"), "Haushalt")],
            ),
        ],
    );
    let mut req = SearchRequest::new("Haushalt");
    req.sort = Some(Sort::Date);
    let grouped = search::search(&index, &req).unwrap();
    assert_eq!(files(&grouped), ["new.pdf", "old.pdf"]);
    assert_eq!(grouped.hits[1].heading.as_deref(), Some("TOP 5 — Haushalt"));
    assert_eq!(
        grouped.hits[0].heading.as_deref(),
        Some("Frage 1 — Wie hoch?")
    );
    req.all_passages = true;
    let all = search::search(&index, &req).unwrap();
    assert_eq!((all.total, all.total_passages), (3, 3));
    assert_eq!(files(&all), ["new.pdf", "old.pdf", "old.pdf"]);
    assert_eq!(all.facets.doc_type.get("information"), 2);
    let years: Vec<_> = all.facets.year.iter().collect();
    assert_eq!(years, [("2025", 1), ("2023", 1)]);
    req.filters.from = date("2024");
    assert_eq!(files(&search::search(&index, &req).unwrap()), ["new.pdf"]);
}

#[test]
fn stichwort_passages_of_an_ingested_txt_file_are_filtered_by_title() {
    let dir = TempDir::new().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir(&docs).unwrap();
    fs::write(
        docs.join("info.txt"),
        "Der Kreistag des Ilm-Kreises möge zur Kenntnis nehmen:\n\
         1.1 Stichwort: Grüne Woche\n\
         Vom 17. bis 26. Januar 2025 findet die Grüne Woche statt.\n\
         1.2 Stichwort: Radwege\n\
         Der Radweg wird am 5. März 2025 eröffnet, kurz nach der Grünen Woche.",
    )
    .unwrap();
    let index = PassageIndex::open_or_create(&dir.path().join("index")).unwrap();
    ingest::ingest(&index, &[docs], &IngestOptions::default(), &mut NoProgress).unwrap();
    let mut req = SearchRequest::new("Woche");
    req.all_passages = true;
    assert_eq!(search::search(&index, &req).unwrap().total, 2);
    req.filters.stichwort = Some("Radweg".into());
    let results = search::search(&index, &req).unwrap();
    assert_eq!(results.total, 1);
    assert_eq!(
        results.hits[0].heading.as_deref(),
        Some("Stichwort 1.2 — Radwege")
    );
    assert_eq!(results.facets.gremium.get("Kreistag"), 1);
    req.filters.body = Some("ilm-kreis".into());
    assert_eq!(search::search(&index, &req).unwrap().total, 1);
}

#[test]
fn equal_scores_keep_their_order_whatever_the_indexing_order() {
    let docs = ["a.pdf", "b.pdf", "c.pdf", "d.pdf"].map(|name| {
        document(
            name,
            None,
            vec![passage(
                PassageKind::Stichwort,
                "1",
                None,
                "Der Radweg wird gebaut.",
            )],
        )
    });
    let mut orders = Vec::new();
    for permutation in [[0, 1, 2, 3], [3, 1, 0, 2], [2, 3, 1, 0]] {
        let dir = TempDir::new().unwrap();
        let ordered: Vec<IndexedDocument> = permutation.iter().map(|&i| docs[i].clone()).collect();
        let index = index_of(&dir, &ordered);
        let results = search::search(&index, &SearchRequest::new("Radweg")).unwrap();
        let scores: Vec<f32> = results.hits.iter().map(|h| h.score).collect();
        assert!(scores.windows(2).all(|w| w[0] == w[1]), "{scores:?}");
        orders.push(files(&results).join(" "));
    }
    assert_eq!(orders[0], orders[1]);
    assert_eq!(orders[0], orders[2]);
}

#[test]
fn a_year_finds_dates_and_references_of_that_year() {
    let dir = TempDir::new().unwrap();
    let index = index_of(
        &dir,
        &[
            document(
                "date.pdf",
                None,
                vec![passage(
                    PassageKind::Stichwort,
                    "1",
                    None,
                    "Die Sitzung findet am 10.11.2025 statt.",
                )],
            ),
            document(
                "range.pdf",
                None,
                vec![passage(
                    PassageKind::Stichwort,
                    "1",
                    None,
                    "Der Doppelhaushalt 2024/2026 ist beschlossen.",
                )],
            ),
            document(
                "other.pdf",
                None,
                vec![passage(
                    PassageKind::Stichwort,
                    "1",
                    None,
                    "Die Sitzung fand am 10.11.2024 statt, Vorlage 1.2025,50.",
                )],
            ),
        ],
    );
    let year = |q: &str| {
        let results = search::search(&index, &SearchRequest::new(q)).unwrap();
        sorted(files(&results))
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(year("2025"), ["date.pdf"]);
    assert_eq!(year("2026"), ["range.pdf"]);
    assert_eq!(year("2024"), ["other.pdf", "range.pdf"]);
    // The date itself is still one term: it does not match the other year.
    assert_eq!(year("10.11.2025"), ["date.pdf"]);
    assert_eq!(year("Sitzung 2025"), ["date.pdf"]);
}

#[test]
fn a_compound_no_text_contains_is_searched_as_its_parts() {
    let dir = TempDir::new().unwrap();
    let index = index_of(
        &dir,
        &[
            document(
                "ausfall.pdf",
                None,
                vec![passage(
                    PassageKind::Stichwort,
                    "1",
                    None,
                    "Im Linienbusverkehr gab es viele Ausfälle wegen fehlender Fahrer.",
                )],
            ),
            document(
                "bus.pdf",
                None,
                vec![passage(
                    PassageKind::Stichwort,
                    "1",
                    None,
                    "Der Bus fährt pünktlich, Ausfälle gab es beim Zug.",
                )],
            ),
            document(
                "zug.pdf",
                None,
                vec![passage(
                    PassageKind::Stichwort,
                    "1",
                    None,
                    "Ausfälle bei der Bahn.",
                )],
            ),
        ],
    );
    let results = search::search(&index, &SearchRequest::new("Busausfälle")).unwrap();
    // Both parts, anywhere in the passage; the recursive index-time split
    // makes "Linienbusverkehr" hold the part `bus`.
    assert_eq!(sorted(files(&results)), ["ausfall.pdf", "bus.pdf"]);
    assert_eq!(results.corrections.len(), 1);
    assert_eq!(results.corrections[0].from, "Busausfälle");
    assert_eq!(results.corrections[0].to, "Bus Ausfälle");
    assert_eq!(results.corrected.as_deref(), Some("Bus Ausfälle"));
    // A compound that occurs is searched as it is.
    let whole = search::search(&index, &SearchRequest::new("Linienbusverkehr")).unwrap();
    assert_eq!(files(&whole), ["ausfall.pdf"]);
    assert!(whole.corrections.is_empty());
}

#[test]
fn rank_with_gives_the_hits_of_search_with_as_ids_and_scores() {
    let index = &corpus().index;
    let searcher = index.reader().unwrap().searcher();
    let filters = Filters {
        doc_type: Some(DocType::AnfrageAntwort),
        ..Filters::default()
    };
    // Plain words, a phrase, an OR, a compound, a typo, a fallback to OR
    // and a filter: every path of the shared search.
    for (query, filters) in [
        ("Fachkräfte Pflege", Filters::default()),
        ("\"Weißer Ring\"", Filters::default()),
        ("Arztlotse OR Nahverkehr", Filters::default()),
        ("Fachkräftesicherung", Filters::default()),
        ("Integrationskonzpet", Filters::default()),
        ("Arztlotse Zauberwort", Filters::default()),
        ("Frage", filters),
    ] {
        let request = request(query, filters);
        let full = search::search_with(index, &searcher, &request).unwrap();
        let ranked = search::rank_with(index, &searcher, &request).unwrap();
        assert!(!full.hits.is_empty(), "{query}: the test needs hits");
        let from_full: Vec<(&str, u64, f32)> = full
            .hits
            .iter()
            .map(|h| (h.doc_id.as_str(), h.passage_index, h.score))
            .collect();
        let from_rank: Vec<(&str, u64, f32)> = ranked
            .hits
            .iter()
            .map(|h| (h.doc_id.as_str(), h.passage_index, h.score))
            .collect();
        assert_eq!(from_rank, from_full, "{query}");
        assert_eq!(
            (ranked.total, ranked.total_passages, ranked.fallback),
            (full.total, full.total_passages, full.fallback),
            "{query}"
        );
    }
}
