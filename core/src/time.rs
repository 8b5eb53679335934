//! Time as an input: the core never reads a clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time, in milliseconds since the Unix epoch.
///
/// Every `handle_*` method and command of [`Client`](crate::Client) takes the current time as a
/// `Timestamp`; the core never reads a clock. The protocol needs wall-clock milliseconds (the `_=`
/// and `r=` query parameters, `ClientMsgId`), so this is wall-clock time, not a monotonic instant.
/// Transports build it from the wall clock read once at their start plus a monotonic clock
/// after that (so a step of the system clock never reaches the core), or with
/// [`Timestamp::from_system_time`]; tests pick any value they like.
///
/// The core's timers survive clock steps: when the time passed in goes backwards (an NTP step,
/// a suspend, a hand-driven test), every pending timer and deadline moves back by the same
/// amount, so a step back of an hour does not stall the session for an hour. A step forwards
/// fires timers early (a long poll or a retry goes out sooner), which is harmless.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Debug,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Timestamp(u64);

impl Timestamp {
    /// A timestamp `millis` milliseconds after the Unix epoch.
    pub const fn from_unix_millis(millis: u64) -> Self {
        Timestamp(millis)
    }

    /// The timestamp of a [`SystemTime`]; times before the epoch become the epoch.
    pub fn from_system_time(time: SystemTime) -> Self {
        let millis = time
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        Timestamp(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_unix_millis(self) -> u64 {
        self.0
    }

    /// Whole seconds since the Unix epoch.
    pub const fn as_unix_secs(self) -> u64 {
        self.0 / 1000
    }

    /// This timestamp moved `duration` later (saturating).
    pub fn after(self, duration: Duration) -> Self {
        let add = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        Timestamp(self.0.saturating_add(add))
    }

    /// This timestamp moved `duration` earlier (saturating at the epoch).
    pub fn before(self, duration: Duration) -> Self {
        let sub = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        Timestamp(self.0.saturating_sub(sub))
    }

    /// How long after `earlier` this timestamp is; zero when it is not later.
    pub fn saturating_since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }

    /// The JavaScript expression `~new Date()` the official client sends as `r=`: the bitwise NOT
    /// of the milliseconds truncated to a signed 32-bit integer (a negative number today).
    pub fn js_bitwise_not(self) -> i32 {
        // JavaScript's ToInt32 keeps the low 32 bits and reads them as a signed integer.
        !((self.0 & 0xFFFF_FFFF) as u32 as i32)
    }
}

impl std::ops::Add<Duration> for Timestamp {
    type Output = Timestamp;
    fn add(self, rhs: Duration) -> Timestamp {
        self.after(rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_bitwise_not_matches_javascript() {
        // In JavaScript, `~1463755895000 === 827952935`: ToInt32 keeps the low 32 bits
        // (-827952936 as a signed integer), then NOT.
        assert_eq!(
            Timestamp::from_unix_millis(1_463_755_895_000).js_bitwise_not(),
            827_952_935
        );
        assert_eq!(Timestamp::from_unix_millis(0).js_bitwise_not(), -1);
    }

    #[test]
    fn arithmetic_saturates() {
        let t = Timestamp::from_unix_millis(u64::MAX - 1);
        assert_eq!(t.after(Duration::from_secs(5)).as_unix_millis(), u64::MAX);
        assert_eq!(
            Timestamp::from_unix_millis(5).saturating_since(t),
            Duration::ZERO
        );
    }
}
