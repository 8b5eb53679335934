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

    /// JavaScript's `String(new Date(ms))` (what `FormData` writes for a file's
    /// `lastModifiedDate`) in China Standard Time, the zone of Web WeChat's users, with the
    /// zone's name in the page's language: `Mon Apr 09 2018 17:40:22 GMT+0800 (中国标准时间)`.
    pub(crate) fn js_date_text(self, lang: &str) -> String {
        const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let secs = self.as_unix_secs().saturating_add(8 * 3600);
        let days = secs / 86_400;
        let in_day = secs % 86_400;
        let (year, month, day) = civil_from_days(days);
        // 1970-01-01 was a Thursday.
        let weekday = DAYS
            .get(usize::try_from((days + 4) % 7).unwrap_or(0))
            .copied()
            .unwrap_or("Thu");
        let month_name = MONTHS
            .get(usize::try_from(month.saturating_sub(1)).unwrap_or(0))
            .copied()
            .unwrap_or("Jan");
        let zone = if lang.starts_with("zh") {
            "中国标准时间"
        } else {
            "China Standard Time"
        };
        format!(
            "{weekday} {month_name} {day:02} {year:04} {:02}:{:02}:{:02} GMT+0800 ({zone})",
            in_day / 3600,
            in_day / 60 % 60,
            in_day % 60
        )
    }
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`): year, month (1–12), day (1–31).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
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
    fn js_date_text_is_javascripts_date_string() {
        // new Date(1523267022000).toString() in Asia/Shanghai.
        let t = Timestamp::from_unix_millis(1_523_267_022_000);
        assert_eq!(
            t.js_date_text("zh_CN"),
            "Mon Apr 09 2018 17:43:42 GMT+0800 (中国标准时间)"
        );
        assert_eq!(
            Timestamp::from_unix_millis(0).js_date_text("en_US"),
            "Thu Jan 01 1970 08:00:00 GMT+0800 (China Standard Time)"
        );
        // A leap day, late in the evening UTC (already the next day in China).
        let t = Timestamp::from_unix_millis(1_709_229_600_000); // 2024-02-29T18:00:00Z
        assert_eq!(
            t.js_date_text("en"),
            "Fri Mar 01 2024 02:00:00 GMT+0800 (China Standard Time)"
        );
    }

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
