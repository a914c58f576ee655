//! The index writer's merge policy: tantivy's log-structured merging, with a
//! cap on how large a merged segment may grow.
//!
//! Takes the segment list tantivy hands a merge policy; gives back merge
//! candidates of at most [`MAX_MERGED_DOCS`] passages each.
//!
//! Why a cap: a merge reads its input segments through `mmap`, so every page
//! of them it touches counts toward the indexing process's resident memory
//! until the merge ends. Tantivy's default policy keeps merging into ever
//! larger segments (up to ten million documents), so peak RSS grew with the
//! corpus: 853 MB at ten times Karlsruhe, 575 MB of it mapped segment files
//! (`benches/HISTORY.md`, the 09:52 run's scale). With the cap, one merge reads at most
//! about [`MAX_MERGED_DOCS`] live passages (~3 KB of index each) — twice
//! that counting deleted passages, which it maps too — and with one merge
//! thread ([`MERGE_THREADS`]) no two run at once, so the mapped part stays
//! bounded whatever the corpus size. The cost is more segments in a large
//! index (one per ~cap/2 to cap passages), which searches visit in turn.
//!
//! Log merging also leaves a tail of small segments from a run's last
//! commits (fewer than eight of a size never merge). Every segment costs
//! each query a fixed overhead, so on a run's final commit
//! ([`CappedMergePolicy::finishing`]) the segments under an eighth of the
//! cap are merged as well — cheap, as they are small by definition.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tantivy::index::{SegmentId, SegmentMeta};
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy};

/// The most passages a merge may produce: about 120 MB of segment files
/// (Karlsruhe passages take 2.7–3.6 KB of index each). Karlsruhe's 34,000
/// passages fit in the writer's memory budget, so a run that commits by
/// time ([`super::CommitPolicy`]) with one indexing thread leaves them in
/// one segment; the writer commits at the latest when a segment would
/// exceed the cap ([`super::PassageWriter::commit_due`]). A merge's input
/// may hold up to twice as many passages when some are deleted.
pub const MAX_MERGED_DOCS: u32 = 40_000;

/// Segments below `1 / TAIL_FRACTION` of the cap count as a run's tail and
/// are merged into one on its final commit.
const TAIL_FRACTION: u32 = 8;

/// Merges run one at a time, beside indexing: on a small machine a second
/// merge thread only competes for the same cores, and it would double the
/// segment pages mapped at once.
pub const MERGE_THREADS: usize = 1;

/// [`LogMergePolicy`] whose candidates are cut into runs of at most
/// `max_docs` passages; segments that already hold `max_docs` are left alone.
#[derive(Debug)]
pub struct CappedMergePolicy {
    inner: LogMergePolicy,
    max_docs: u32,
    finishing: Arc<AtomicBool>,
}

impl CappedMergePolicy {
    pub fn new(max_docs: u32) -> Self {
        let mut inner = LogMergePolicy::default();
        inner.set_max_docs_before_merge(max_docs as usize);
        CappedMergePolicy {
            inner,
            max_docs,
            finishing: Arc::default(),
        }
    }

    /// Set it before a run's final commit: from then on the policy also
    /// merges the tail of small segments (below an eighth of `max_docs`).
    pub fn finishing(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.finishing)
    }
}

impl Default for CappedMergePolicy {
    fn default() -> Self {
        CappedMergePolicy::new(MAX_MERGED_DOCS)
    }
}

impl MergePolicy for CappedMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let sizes: HashMap<SegmentId, Size> = segments
            .iter()
            .map(|meta| {
                let size = Size {
                    live: meta.num_docs(),
                    stored: meta.max_doc(),
                };
                (meta.id(), size)
            })
            .collect();
        let mut candidates: Vec<MergeCandidate> = self
            .inner
            .compute_merge_candidates(segments)
            .into_iter()
            .flat_map(|candidate| split(candidate, &sizes, self.max_docs))
            .collect();
        if self.finishing.load(Ordering::Relaxed) {
            let taken: HashSet<SegmentId> = candidates
                .iter()
                .flat_map(|c| c.0.iter().copied())
                .collect();
            let tail = MergeCandidate(
                segments
                    .iter()
                    .filter(|meta| meta.num_docs() < self.max_docs / TAIL_FRACTION)
                    .map(|meta| meta.id())
                    .filter(|id| !taken.contains(id))
                    .collect(),
            );
            candidates.extend(split(tail, &sizes, self.max_docs));
        }
        candidates
    }
}

/// A segment's passages: `live` ones end up in the merged segment; all
/// `stored` ones, deleted included, are read (mapped) by the merge.
#[derive(Debug, Clone, Copy)]
struct Size {
    live: u32,
    stored: u32,
}

/// Cuts `candidate` into groups of at least two segments with at most
/// `max_docs` live passages and at most `2 × max_docs` stored ones (so a
/// merge of segments full of deleted passages still maps a bounded input),
/// smallest segments first (they are the cheapest to merge and the ones
/// that most need it). A segment that fits in no group stays as it is
/// until the next round.
fn split(
    candidate: MergeCandidate,
    sizes: &HashMap<SegmentId, Size>,
    max_docs: u32,
) -> Vec<MergeCandidate> {
    let max_live = u64::from(max_docs);
    let max_stored = 2 * max_live;
    let mut ids: Vec<(u32, u32, SegmentId)> = candidate
        .0
        .into_iter()
        .map(|id| {
            let size = sizes
                .get(&id)
                .copied()
                .unwrap_or(Size { live: 0, stored: 0 });
            (size.live, size.stored, id)
        })
        .collect();
    ids.sort_unstable();
    let mut groups = Vec::new();
    let mut group: Vec<SegmentId> = Vec::new();
    let (mut live, mut stored) = (0u64, 0u64);
    for (n, m, id) in ids {
        let (n, m) = (u64::from(n), u64::from(m));
        if live + n > max_live || stored + m > max_stored {
            if group.len() >= 2 {
                groups.push(MergeCandidate(std::mem::take(&mut group)));
            }
            group.clear();
            (live, stored) = (0, 0);
        }
        if n < max_live && m <= max_stored {
            group.push(id);
            live += n;
            stored += m;
        }
    }
    if group.len() >= 2 {
        groups.push(MergeCandidate(group));
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, STORED, TEXT};
    use tantivy::Index;

    fn metas(sizes: &[u32]) -> Vec<SegmentMeta> {
        let mut schema = Schema::builder();
        schema.add_text_field("body", TEXT | STORED);
        let index = Index::create_in_ram(schema.build());
        sizes
            .iter()
            .map(|&n| index.new_segment_meta(SegmentId::generate_random(), n))
            .collect()
    }

    fn merged_sizes(policy: &CappedMergePolicy, segments: &[SegmentMeta]) -> Vec<Vec<u32>> {
        let docs: HashMap<SegmentId, u32> =
            segments.iter().map(|m| (m.id(), m.num_docs())).collect();
        policy
            .compute_merge_candidates(segments)
            .into_iter()
            .map(|c| {
                let mut sizes: Vec<u32> = c.0.iter().map(|id| docs[id]).collect();
                sizes.sort_unstable();
                sizes
            })
            .collect()
    }

    #[test]
    fn small_segments_merge_as_tantivy_would() {
        let segments = metas(&[500; 8]);
        let capped = merged_sizes(&CappedMergePolicy::new(40_000), &segments);
        assert_eq!(capped, vec![vec![500; 8]]);
        let plain = LogMergePolicy::default().compute_merge_candidates(&segments);
        assert_eq!(plain.len(), 1);
    }

    #[test]
    fn no_merge_produces_more_than_the_cap() {
        // Eight segments of 15,000: tantivy alone would merge them into one
        // of 120,000; capped at 40,000 they pair up.
        let segments = metas(&[15_000; 8]);
        let plain = LogMergePolicy::default().compute_merge_candidates(&segments);
        assert_eq!(plain.len(), 1, "the uncapped policy merges all eight");
        let capped = merged_sizes(&CappedMergePolicy::new(40_000), &segments);
        assert_eq!(capped.len(), 4, "{capped:?}");
        for group in &capped {
            assert!(group.len() >= 2, "{capped:?}");
            assert!(group.iter().sum::<u32>() <= 40_000, "{capped:?}");
        }
    }

    #[test]
    fn the_tail_merges_only_once_finishing() {
        // Log merging leaves these alone: too few of each size.
        let segments = metas(&[20_000, 12_000, 1_500, 1_000, 500]);
        let policy = CappedMergePolicy::new(40_000);
        assert!(merged_sizes(&policy, &segments).is_empty());
        policy.finishing().store(true, Ordering::Relaxed);
        assert_eq!(
            merged_sizes(&policy, &segments),
            vec![vec![500, 1_000, 1_500]],
            "only segments under cap/8 form the tail"
        );
        let lone = metas(&[20_000, 700]);
        assert!(
            merged_sizes(&policy, &lone).is_empty(),
            "one small segment is no merge"
        );
    }

    #[test]
    fn the_tail_takes_no_segment_another_merge_took() {
        // Log merging takes the eight small ones; the tail (everything
        // under 5,000) would take them again.
        let mut sizes = vec![500; 8];
        sizes.extend([20_000, 30_000]);
        let segments = metas(&sizes);
        let policy = CappedMergePolicy::new(40_000);
        policy.finishing().store(true, Ordering::Relaxed);
        let candidates = policy.compute_merge_candidates(&segments);
        let mut seen = HashSet::new();
        for id in candidates.iter().flat_map(|c| c.0.iter()) {
            assert!(seen.insert(*id), "{id:?} is in two merges: {candidates:?}");
        }
        assert_eq!(merged_sizes(&policy, &segments), vec![vec![500; 8]]);
    }

    #[test]
    fn deleted_passages_count_toward_a_merges_input() {
        // Eight segments of 30,000 passages, 29,000 of them deleted: 8,000
        // live passages would fit the cap, but a merge maps all 240,000.
        let segments: Vec<SegmentMeta> = metas(&[30_000; 8])
            .into_iter()
            .map(|meta| meta.with_delete_meta(29_000, 0))
            .collect();
        let groups = CappedMergePolicy::new(40_000).compute_merge_candidates(&segments);
        assert!(!groups.is_empty(), "the live passages still merge");
        for group in &groups {
            assert!(group.0.len() * 30_000 <= 80_000, "{groups:?}");
        }
    }

    #[test]
    fn segments_at_the_cap_are_never_merged_again() {
        let mut sizes = vec![40_000; 8];
        sizes.extend([100; 8]);
        let segments = metas(&sizes);
        let capped = merged_sizes(&CappedMergePolicy::new(40_000), &segments);
        assert!(!capped.is_empty(), "the small ones still merge");
        for group in &capped {
            assert!(!group.contains(&40_000), "{capped:?}");
            assert!(group.iter().sum::<u32>() <= 40_000, "{capped:?}");
        }
    }
}
