//! The sessions under test: each logs in through `webwx-hyper` (one shared transport, as a bot
//! host would), then long-polls, and records every load message it receives.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Semaphore;
use webwx_core::{Config, Content, Event};
use webwx_hyper::{Session, Transport};

/// What every load message delivered so far says.
#[derive(Debug, Default)]
pub(crate) struct Deliveries {
    /// Queue-to-event latency of each message, in microseconds.
    pub(crate) latencies_us: Vec<u64>,
    /// The load numbers seen.
    pub(crate) seen: HashSet<u64>,
    /// Load messages delivered more than once.
    pub(crate) duplicates: u64,
}

/// Counters shared by every session task.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    /// Sessions that reached `Ready`.
    pub(crate) ready: AtomicUsize,
    /// Sessions that failed or were logged out.
    pub(crate) ended: AtomicUsize,
    deliveries: Mutex<Deliveries>,
    first_error: Mutex<Option<String>>,
}

impl Stats {
    /// The deliveries, locked.
    pub(crate) fn deliveries(&self) -> MutexGuard<'_, Deliveries> {
        self.deliveries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The first way a session ended, if one did.
    pub(crate) fn first_error(&self) -> Option<String> {
        self.first_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn record(&self, n: u64, latency_us: u64) {
        let mut d = self.deliveries();
        if d.seen.insert(n) {
            d.latencies_us.push(latency_us);
        } else {
            d.duplicates += 1;
        }
    }

    fn end(&self, why: String) {
        self.ended.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first_error.lock().unwrap_or_else(|p| p.into_inner());
        if first.is_none() {
            *first = Some(why);
        }
    }
}

fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

/// `load <n> <unix_micros>` → `(n, stamp)`.
fn parse_load(text: &str) -> Option<(u64, u64)> {
    let mut words = text.strip_prefix("load ")?.split(' ');
    let n = words.next()?.parse().ok()?;
    let stamp = words.next()?.parse().ok()?;
    Some((n, stamp))
}

/// The configuration of session `i`: its own seed, the simulator's origin allowed.
fn config(base_url: &str, i: usize) -> Config {
    let mut config = Config::new(0x5ca1e + i as u64)
        .with_login_origin(base_url)
        .with_allowed_host("127.0.0.1");
    // Under a login storm on two cores an answer can take a while; a retry would only add load.
    config.request_timeout = Duration::from_secs(60);
    config
}

/// Starts `n` sessions, at most `concurrent_logins` logging in at a time.
pub(crate) fn start(
    base_url: &str,
    n: usize,
    concurrent_logins: usize,
    transport: &Transport,
) -> Arc<Stats> {
    let stats = Arc::new(Stats::default());
    let logins = Arc::new(Semaphore::new(concurrent_logins.max(1)));
    for i in 0..n {
        let config = config(base_url, i);
        let transport = transport.clone();
        let stats = Arc::clone(&stats);
        let logins = Arc::clone(&logins);
        tokio::spawn(async move {
            let mut permit = logins.acquire_owned().await.ok();
            let mut session = Session::start_with(config, transport);
            while let Some(event) = session.next_event().await {
                match event {
                    Event::Ready { .. } => {
                        permit = None;
                        stats.ready.fetch_add(1, Ordering::Relaxed);
                    }
                    Event::Message(m) => {
                        if let Content::Text(text) = &m.content
                            && let Some((n, stamp)) = parse_load(text)
                        {
                            stats.record(n, unix_micros().saturating_sub(stamp));
                        }
                    }
                    Event::Failed(e) => stats.end(format!("session {i} failed: {e}")),
                    Event::LoggedOut { reason } => {
                        stats.end(format!("session {i} logged out: {reason}"));
                    }
                    _ => {}
                }
            }
            drop(permit);
        });
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::parse_load;

    #[test]
    fn load_messages_are_read() {
        assert_eq!(
            parse_load("load 12 1764000000123456"),
            Some((12, 1_764_000_000_123_456))
        );
        assert_eq!(parse_load("hello"), None);
        assert_eq!(parse_load("load x 1"), None);
    }
}
