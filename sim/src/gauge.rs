//! The counters behind [`LoadStatus`](crate::LoadStatus): a load run's progress and the gauge of
//! held long polls, shared by the running load task and the handlers.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// How the current (or last) load run is going, and how many synccheck calls are held now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadStatus {
    /// Whether a run is going.
    pub running: bool,
    /// Messages the run queued so far.
    pub queued: u64,
    /// Messages not queued because their session had ended.
    pub skipped: u64,
    /// Sessions the run spreads over.
    pub sessions: usize,
    /// synccheck calls being held right now (clients long-polling).
    pub long_polls: usize,
}

/// The counters behind [`LoadStatus`], shared with the running task and the handlers.
#[derive(Debug, Default)]
pub(crate) struct LoadCounters {
    pub(crate) running: AtomicBool,
    pub(crate) queued: AtomicU64,
    pub(crate) skipped: AtomicU64,
    pub(crate) sessions: AtomicUsize,
    long_polls: AtomicUsize,
}

impl LoadCounters {
    pub(crate) fn status(&self) -> LoadStatus {
        LoadStatus {
            running: self.running.load(Ordering::Acquire),
            queued: self.queued.load(Ordering::Relaxed),
            skipped: self.skipped.load(Ordering::Relaxed),
            sessions: self.sessions.load(Ordering::Relaxed),
            long_polls: self.long_polls.load(Ordering::Relaxed),
        }
    }

    /// Counts a held synccheck until the guard is dropped (answered, or the client went away).
    pub(crate) fn long_poll(&self) -> LongPollGuard<'_> {
        self.long_polls.fetch_add(1, Ordering::Relaxed);
        LongPollGuard(self)
    }
}

/// See [`LoadCounters::long_poll`].
pub(crate) struct LongPollGuard<'a>(&'a LoadCounters);

impl Drop for LongPollGuard<'_> {
    fn drop(&mut self) {
        self.0.long_polls.fetch_sub(1, Ordering::Relaxed);
    }
}
