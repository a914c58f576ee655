//! A bounded cache of search results, so a query asked again (paging back,
//! the same question from another councillor, a bookmarked link) is
//! answered without searching.
//!
//! Takes the searcher generation, a request and its results; gives the
//! results back for the same request on the same generation. Entries are
//! keyed by the parsed [`SearchRequest`] (so equivalent URLs share one)
//! and hold only results of the generation they were made on: the first
//! lookup or insert on a newer generation — after a commit the reader has
//! picked up — empties the cache, so a cached answer is never older than
//! the searcher the server would use. Memory is bounded by an estimate of
//! the entries' size ([`ResultCache::new`]'s budget); when it is exceeded
//! the least recently used entries go until a quarter of the budget is
//! free. A budget of 0 turns the cache off.

use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use crate::search::{SearchRequest, SearchResults};

/// The cache; shared by all requests of a server.
pub struct ResultCache {
    budget: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    generation: u64,
    entries: FxHashMap<String, Entry>,
    bytes: usize,
    clock: u64,
}

struct Entry {
    results: Arc<SearchResults>,
    bytes: usize,
    used: u64,
}

impl ResultCache {
    /// A cache holding about `budget` bytes of results (0: off).
    pub fn new(budget: usize) -> ResultCache {
        ResultCache {
            budget,
            state: Mutex::new(State::default()),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.budget > 0
    }

    /// The key of a request: all its fields (the query string as sent,
    /// filters, paging, sort), so only identical requests share an entry.
    pub fn key(request: &SearchRequest) -> String {
        format!("{request:?}")
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The results cached for `key` on `generation`.
    pub fn get(&self, generation: u64, key: &str) -> Option<Arc<SearchResults>> {
        if !self.is_enabled() {
            return None;
        }
        let mut state = self.state();
        if generation < state.generation {
            // A request still on the searcher from before a reload: its
            // results are not the cache's, and it must not reset it.
            return None;
        }
        state.sync(generation);
        state.clock += 1;
        let now = state.clock;
        let entry = state.entries.get_mut(key)?;
        entry.used = now;
        Some(entry.results.clone())
    }

    /// Keep `results` for `key` on `generation` (not when larger than the
    /// budget, nor when the cache already moved on to a newer generation).
    pub fn insert(&self, generation: u64, key: String, results: Arc<SearchResults>) {
        let bytes = key.len() + approximate_bytes(&results);
        if !self.is_enabled() || bytes > self.budget {
            return;
        }
        let mut state = self.state();
        if generation < state.generation {
            return;
        }
        state.sync(generation);
        state.clock += 1;
        let used = state.clock;
        if let Some(old) = state.entries.insert(
            key,
            Entry {
                results,
                bytes,
                used,
            },
        ) {
            state.bytes -= old.bytes;
        }
        state.bytes += bytes;
        if state.bytes > self.budget {
            state.evict_to(self.budget - self.budget / 4);
        }
    }

    /// Entries and their estimated bytes now.
    pub fn usage(&self) -> (usize, usize) {
        let state = self.state();
        (state.entries.len(), state.bytes)
    }
}

impl State {
    /// Forget everything when the searcher moved to a newer generation
    /// (callers never pass an older one).
    fn sync(&mut self, generation: u64) {
        if generation > self.generation {
            self.entries.clear();
            self.bytes = 0;
            self.generation = generation;
        }
    }

    /// Drop least recently used entries until at most `target` bytes remain.
    fn evict_to(&mut self, target: usize) {
        let mut by_age: Vec<(u64, &String)> =
            self.entries.iter().map(|(k, e)| (e.used, k)).collect();
        by_age.sort_unstable();
        let mut bytes = self.bytes;
        let mut gone = Vec::new();
        for (_, key) in by_age {
            if bytes <= target {
                break;
            }
            bytes -= self.entries[key].bytes;
            gone.push(key.clone());
        }
        for key in gone {
            self.entries.remove(&key);
        }
        self.bytes = bytes;
    }
}

/// An estimate (from above, roughly) of the heap bytes `results` holds.
fn approximate_bytes(results: &SearchResults) -> usize {
    let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    let hits: usize = results
        .hits
        .iter()
        .map(|h| {
            256 + h.file.len()
                + h.path.len()
                + h.doc_id.len()
                + h.snippet.len()
                + 16 * h.highlights.len()
                + h.kind.len()
                + text(&h.number)
                + text(&h.title)
                + text(&h.heading)
                + h.language.len()
                + text(&h.doc_type)
                + text(&h.date)
                + text(&h.body)
                + text(&h.gremium)
                + text(&h.reference)
                + h.dates_mentioned
                    .iter()
                    .map(|d| d.len() + 24)
                    .sum::<usize>()
        })
        .sum();
    let f = &results.facets;
    let facets: usize = [&f.doc_type, &f.year, &f.body, &f.gremium, &f.handlungsfeld]
        .iter()
        .flat_map(|counts| counts.iter())
        .map(|(value, _)| value.len() + 40)
        .sum();
    let words: usize = results
        .corrections
        .iter()
        .map(|c| c.from.len() + c.to.len() + 48)
        .chain(
            results
                .synonyms
                .iter()
                .map(|s| s.words.len() + s.variants.iter().map(|v| v.len() + 24).sum::<usize>()),
        )
        .sum();
    512 + results.query.len() + text(&results.corrected) + hits + facets + words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{Facets, Hit, MatchMode, Sort};

    fn results(query: &str, hits: usize) -> Arc<SearchResults> {
        Arc::new(SearchResults {
            query: query.into(),
            corrected: None,
            corrections: Vec::new(),
            synonyms: Vec::new(),
            mode: MatchMode::All,
            fallback: false,
            listing: false,
            sort: Sort::Relevance,
            total: hits,
            total_passages: hits,
            hits: (0..hits).map(|_| Hit::for_test("x", vec![])).collect(),
            facets: Facets::default(),
        })
    }

    #[test]
    fn answers_only_on_the_generation_it_was_made_on() {
        let cache = ResultCache::new(1 << 20);
        let key = ResultCache::key(&SearchRequest::new("Radweg"));
        cache.insert(7, key.clone(), results("Radweg", 3));
        assert_eq!(cache.get(7, &key).unwrap().total, 3);
        assert!(cache.get(7, "other").is_none());
        // A newer generation empties the cache …
        assert!(cache.get(8, &key).is_none());
        assert_eq!(cache.usage(), (0, 0));
        // … and results of an older one are not kept any more.
        cache.insert(7, key.clone(), results("Radweg", 3));
        assert!(cache.get(8, &key).is_none());
    }

    #[test]
    fn a_request_on_an_older_searcher_neither_hits_nor_resets_the_cache() {
        let cache = ResultCache::new(1 << 20);
        let key = ResultCache::key(&SearchRequest::new("Radweg"));
        cache.insert(8, key.clone(), results("Radweg", 3));
        // A request that still holds the searcher from before the reload.
        assert!(cache.get(7, &key).is_none());
        cache.insert(7, key.clone(), results("Radweg", 1));
        // The newer generation's entry is still there, unchanged.
        assert_eq!(cache.get(8, &key).unwrap().total, 3);
        assert_eq!(cache.usage().0, 1);
    }

    #[test]
    fn stays_within_its_budget_dropping_the_least_recently_used() {
        let one = approximate_bytes(&results("q0", 10)) + 64;
        let cache = ResultCache::new(10 * one);
        for i in 0..10 {
            let key = format!("q{i}");
            cache.insert(1, key, results(&format!("q{i}"), 10));
            // q0 is used all the time, so it stays.
            assert!(cache.get(1, "q0").is_some(), "after q{i}");
        }
        for i in 10..40 {
            cache.insert(1, format!("q{i}"), results(&format!("q{i}"), 10));
            assert!(cache.get(1, "q0").is_some(), "after q{i}");
            let (_, bytes) = cache.usage();
            assert!(bytes <= 10 * one, "{bytes} bytes after q{i}");
        }
        assert!(cache.get(1, "q39").is_some());
        assert!(cache.get(1, "q10").is_none(), "an old entry was dropped");
    }

    #[test]
    fn a_new_commit_is_never_answered_from_the_cache() {
        use crate::index::PassageIndex;
        use crate::ingest::{self, IngestOptions, NoProgress};
        use crate::server::api::run_search;
        use crate::server::{AppState, Limits};

        let dir = tempfile::TempDir::new().unwrap();
        let docs = dir.path().join("docs");
        std::fs::create_dir(&docs).unwrap();
        std::fs::write(docs.join("a.txt"), "Die Kreisstraße wird saniert.").unwrap();
        let index = PassageIndex::open_or_create(&dir.path().join("index")).unwrap();
        let options = IngestOptions::default();
        let run_ingest = || {
            ingest::ingest(
                &index,
                std::slice::from_ref(&docs),
                &options,
                &mut NoProgress,
            )
            .unwrap()
        };
        run_ingest();
        let state = AppState::new(index.clone(), Limits::default()).unwrap();
        assert!(state.result_cache().is_enabled(), "on by default");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let search = || run_search(&state, SearchRequest::new("Zauberwort"));
            // The reader may pick up the first commit late (its file
            // watcher), and every new generation empties the cache: repeat
            // until two searches ran on one generation.
            let start = std::time::Instant::now();
            loop {
                let first = search().await.unwrap();
                assert_eq!(first.results.total, 0);
                let again = search().await.unwrap();
                assert_eq!(again.results, first.results);
                if again.cached {
                    break;
                }
                assert!(
                    start.elapsed() < std::time::Duration::from_secs(20),
                    "a repeated request on one commit was never answered from the cache"
                );
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }

            std::fs::write(docs.join("b.txt"), "Das Zauberwort heißt Bitte.").unwrap();
            run_ingest();
            state.reload().unwrap();
            let after = search().await.unwrap();
            assert!(!after.cached, "a new commit is searched, not looked up");
            assert_eq!(after.results.total, 1);
        });
    }

    #[test]
    fn a_zero_budget_is_off_and_oversized_results_are_not_kept() {
        let off = ResultCache::new(0);
        off.insert(1, "q".into(), results("q", 1));
        assert!(off.get(1, "q").is_none());
        let small = ResultCache::new(100);
        small.insert(1, "q".into(), results("q", 10));
        assert!(small.get(1, "q").is_none());
    }
}
