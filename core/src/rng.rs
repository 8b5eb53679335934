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

    /// The part the official client appends to the milliseconds in a LocalID:
    /// `Math.random().toFixed(3)` without its dot, that is `0` and three digits, or `1000` when
    /// the draw rounds up to 1 (one time in 2,000).
    pub(crate) fn local_id_suffix(&mut self) -> String {
        local_id_suffix_of(self.0.next_u32())
    }

    /// 16 random bytes (a multipart boundary's draw).
    pub(crate) fn bytes16(&mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        self.0.fill_bytes(&mut out);
        out
    }

    /// A number drawn uniformly from `[0, bound)` (0 when `bound` is 0).
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        self.0.next_u64() % bound
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

/// [`Rng::local_id_suffix`] of one random `draw`.
pub(crate) fn local_id_suffix_of(draw: u32) -> String {
    // A draw in [0, 1) at 1e-6 resolution, rounded to three decimals as toFixed does.
    let micros = draw % 1_000_000;
    let thousandths = (micros + 500) / 1000;
    if thousandths == 1000 {
        "1000".to_string()
    } else {
        format!("0{thousandths:03}")
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
    fn local_id_suffixes_are_to_fixed_3_without_the_dot() {
        let mut r = Rng::from_seed(3);
        let mut rounded_up = 0;
        for _ in 0..20_000 {
            let s = r.local_id_suffix();
            assert!(s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()), "{s}");
            if s == "1000" {
                rounded_up += 1;
            } else {
                assert!(s.starts_with('0'), "{s}");
            }
        }
        // One in 2,000 draws rounds up: about 10 in 20,000.
        assert!((1..40).contains(&rounded_up), "{rounded_up}");
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
