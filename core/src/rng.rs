//! The seeded random number generator: the core's only source of randomness.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use std::time::Duration;

/// Deterministic randomness for DeviceID, message ids and retry jitter.
///
/// ChaCha8 seeded from [`Config::seed`](crate::Config::seed): its output for a seed is fixed by
/// the algorithm, so the same seed and inputs give byte-identical requests on every platform.
#[derive(Clone)]
pub(crate) struct Rng(ChaCha8Rng);

impl Rng {
    pub(crate) fn from_seed(seed: u64) -> Self {
        Rng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// `count` random decimal digits.
    pub(crate) fn digits(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| char::from(b'0' + (self.0.next_u32() % 10) as u8))
            .collect()
    }

    /// A DeviceID as the official client makes it: `e` followed by 15 random digits.
    pub(crate) fn device_id(&mut self) -> String {
        format!("e{}", self.digits(15))
    }

    /// A duration drawn uniformly from `[0, max]` at millisecond resolution.
    pub(crate) fn up_to(&mut self, max: Duration) -> Duration {
        let max_ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
        if max_ms == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(self.0.next_u64() % max_ms.saturating_add(1).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_output() {
        let (mut a, mut b) = (Rng::from_seed(7), Rng::from_seed(7));
        assert_eq!(a.device_id(), b.device_id());
        let id = Rng::from_seed(7).device_id();
        assert_eq!(id.len(), 16);
        assert!(id.starts_with('e') && id[1..].bytes().all(|c| c.is_ascii_digit()));
        assert_ne!(Rng::from_seed(8).device_id(), id);
    }

    #[test]
    fn up_to_stays_in_range() {
        let mut r = Rng::from_seed(1);
        for _ in 0..1000 {
            assert!(r.up_to(Duration::from_millis(250)) <= Duration::from_millis(250));
        }
        assert_eq!(r.up_to(Duration::ZERO), Duration::ZERO);
    }
}
