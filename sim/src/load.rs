//! Load: text messages delivered at a fixed rate across every live session, each stamped with
//! the moment it was queued so a client can measure delivery latency.
//!
//! A load message's content is `load <n> <unix_micros>`: its number in the run and the wall-clock
//! time (microseconds since the Unix epoch) at which the simulator queued it. Its session is
//! picked from the sessions that were set up (`webwxinit`) and live when the run started, by a
//! seeded mix of `n`, so the same seed spreads the same run the same way.

use crate::ids::mix;
use crate::state::Shared;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The longest run accepted, so a mistyped request cannot queue messages forever.
const MAX_DURATION_MS: u64 = 24 * 3_600_000;
/// The highest rate accepted (messages per second).
const MAX_RATE: u32 = 1_000_000;
/// How often due messages are queued.
const TICK: Duration = Duration::from_millis(1);

/// A load run: `rate_per_s` messages per second for `duration_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadSpec {
    /// Messages per second, over all sessions (at most 1,000,000).
    pub rate_per_s: u32,
    /// How long the run lasts (at most 24 hours).
    pub duration_ms: u64,
    /// Seed of the spread over sessions.
    #[serde(default)]
    pub seed: u64,
}

impl LoadSpec {
    /// How many messages the run queues in all.
    pub fn total(&self) -> u64 {
        u64::from(self.rate_per_s) * self.duration_ms / 1000
    }
}

/// Why a load run was not started.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// Another run is still going.
    #[error("a load run is already going")]
    Busy,
    /// The rate or duration is zero or over its limit.
    #[error("rate must be 1..={MAX_RATE} per second and duration 1..={MAX_DURATION_MS} ms")]
    OutOfRange,
    /// No session was set up.
    #[error("no live session to send to")]
    NoSessions,
}

fn unix_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or_default()
}

/// Starts a run on `runtime` (the simulator's).
pub(crate) fn start(
    shared: &Arc<Shared>,
    runtime: &tokio::runtime::Handle,
    spec: LoadSpec,
) -> Result<(), LoadError> {
    if spec.rate_per_s == 0
        || spec.rate_per_s > MAX_RATE
        || spec.duration_ms == 0
        || spec.duration_ms > MAX_DURATION_MS
    {
        return Err(LoadError::OutOfRange);
    }
    let mut uins: Vec<u64> = {
        let inner = shared.lock();
        inner
            .sessions
            .iter()
            .filter(|(_, s)| s.inited && s.ended.is_none())
            .map(|(uin, _)| *uin)
            .collect()
    };
    if uins.is_empty() {
        return Err(LoadError::NoSessions);
    }
    uins.sort_unstable();
    let load = &shared.load;
    if load
        .running
        .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return Err(LoadError::Busy);
    }
    load.queued.store(0, Ordering::Relaxed);
    load.skipped.store(0, Ordering::Relaxed);
    load.sessions.store(uins.len(), Ordering::Relaxed);
    runtime.spawn(run(Arc::clone(shared), spec, uins));
    Ok(())
}

/// Queues every message that is due, once a tick, until the run's total is queued.
async fn run(shared: Arc<Shared>, spec: LoadSpec, uins: Vec<u64>) {
    let total = spec.total();
    let started = tokio::time::Instant::now();
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut next: u64 = 0;
    while next < total {
        ticks.tick().await;
        let elapsed = started.elapsed().as_micros();
        let due = u64::try_from(elapsed * u128::from(spec.rate_per_s) / 1_000_000)
            .unwrap_or(u64::MAX)
            .min(total);
        if due <= next {
            continue;
        }
        let mut inner = shared.lock();
        for n in next..due {
            let pick = usize::try_from(mix(spec.seed, n) % uins.len() as u64).unwrap_or(0);
            let Some(&uin) = uins.get(pick) else { continue };
            let text = format!("load {n} {}", unix_micros());
            if inner.inject(uin, None, 1, &text) {
                shared.load.queued.fetch_add(1, Ordering::Relaxed);
            } else {
                shared.load.skipped.fetch_add(1, Ordering::Relaxed);
            }
        }
        drop(inner);
        next = due;
    }
    shared.load.running.store(false, Ordering::Release);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_is_rate_times_duration() {
        let spec = LoadSpec {
            rate_per_s: 1000,
            duration_ms: 2500,
            seed: 0,
        };
        assert_eq!(spec.total(), 2500);
    }
}
