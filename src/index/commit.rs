//! When a long indexing run commits: [`CommitPolicy`].
//!
//! Takes the number of changes since the last commit and the time since
//! then; gives whether to commit now.
//!
//! Why a time bound by default: a commit is what lets an interrupted run
//! keep its work, but every commit also closes the writer's open segment.
//! Committing every 500 files left Karlsruhe's 12,692 texts in 25 small
//! segments that the merge policy then rewrote into three — about 2.7 CPU
//! seconds of committing and merging, and three segments for every query to visit
//! (`benches/HISTORY.md`, "Commits by time"). What a user of a long run
//! cares about is how much work a crash can cost, which is a time; bounding
//! that time lets segments grow to what the writer's memory holds (the
//! writer adds that bound itself, [`super::PassageWriter::commit_due`]):
//! one segment for all of Karlsruhe (with one indexing thread, i.e. up to
//! six workers), segments near the merge cap at ten times that, and so
//! little left to merge. The default of five minutes is
//! longer than a run over Karlsruhe ten times over takes on two cores,
//! so such a run leaves no time-cut segments; a crash costs about five
//! minutes of indexing at most (the bound is checked after each file),
//! which the next run (incremental) redoes. A file
//! count is still available for tests and for callers who want it;
//! whichever bound is reached first triggers the commit.

use std::time::Duration;

/// Commit after `files` changed files or `interval` since the last commit,
/// whichever comes first; neither set: only at the end of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitPolicy {
    /// Commit once this many files were added, replaced or removed since
    /// the last commit (0: no file bound).
    pub files: usize,
    /// Commit once this much time has passed since the last commit
    /// (`None`: no time bound).
    pub interval: Option<Duration>,
}

impl CommitPolicy {
    /// The default time bound: a crash costs at most five minutes of
    /// indexing.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(300);

    /// Commit only at the end of a run.
    pub const AT_END: CommitPolicy = CommitPolicy {
        files: 0,
        interval: None,
    };

    /// Commit after every `files` changed files, regardless of time.
    pub fn every_files(files: usize) -> CommitPolicy {
        CommitPolicy {
            files,
            interval: None,
        }
    }

    /// Whether `uncommitted` changes are due for a commit, `since_commit`
    /// after the last commit (or after the writer opened). Nothing pending
    /// is never due.
    pub fn due(&self, uncommitted: usize, since_commit: Duration) -> bool {
        uncommitted > 0
            && ((self.files > 0 && uncommitted >= self.files)
                || self.interval.is_some_and(|bound| since_commit >= bound))
    }
}

impl Default for CommitPolicy {
    fn default() -> Self {
        CommitPolicy {
            files: 0,
            interval: Some(CommitPolicy::DEFAULT_INTERVAL),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: Duration = Duration::from_secs(1);

    #[test]
    fn default_commits_by_time_only() {
        let policy = CommitPolicy::default();
        assert!(!policy.due(1_000_000, 299 * SEC));
        assert!(policy.due(1, 300 * SEC));
        assert!(policy.due(1, 3600 * SEC));
    }

    #[test]
    fn file_bound_commits_at_the_count() {
        let policy = CommitPolicy::every_files(4);
        assert!(!policy.due(3, 3600 * SEC));
        assert!(policy.due(4, Duration::ZERO));
        assert!(policy.due(5, Duration::ZERO));
    }

    #[test]
    fn whichever_bound_comes_first() {
        let policy = CommitPolicy {
            files: 10,
            interval: Some(30 * SEC),
        };
        assert!(!policy.due(9, 29 * SEC));
        assert!(policy.due(10, SEC));
        assert!(policy.due(1, 30 * SEC));
    }

    #[test]
    fn nothing_pending_is_never_due() {
        for policy in [
            CommitPolicy::default(),
            CommitPolicy::every_files(1),
            CommitPolicy {
                files: 0,
                interval: Some(Duration::ZERO),
            },
        ] {
            assert!(!policy.due(0, 3600 * SEC), "{policy:?}");
        }
    }

    #[test]
    fn at_end_is_never_due() {
        assert!(!CommitPolicy::AT_END.due(usize::MAX, 1_000_000 * SEC));
    }
}
