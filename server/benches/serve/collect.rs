//! What an event consumer (the SSE stream or the webhook receiver) saw: each load message
//! (`load <n> <unix_micros>`) with its arrival time, duplicates, and `resumed` events by account.

use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

/// Microseconds since the Unix epoch (the clock of the simulator's stamps: same machine).
pub(crate) fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

/// One load message, as received.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Delivery {
    /// Its number in the load run.
    pub(crate) n: u64,
    /// When the simulator queued it (Unix µs).
    pub(crate) stamp_us: u64,
    /// When it arrived here (Unix µs).
    pub(crate) arrival_us: u64,
}

#[derive(Debug, Default)]
struct Inner {
    /// Load messages stamped before this are from an earlier run: not counted.
    since_us: u64,
    seen: HashSet<u64>,
    deliveries: Vec<Delivery>,
    duplicates: u64,
    /// `resumed` events: account → first arrival (Unix µs).
    resumed: HashMap<String, u64>,
    bad_signatures: u64,
}

/// Shared by the consumer's task and the benchmark.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    inner: Mutex<Inner>,
}

/// `load <n> <unix_micros>` → `(n, stamp)`.
fn parse_load(text: &str) -> Option<(u64, u64)> {
    let mut words = text.strip_prefix("load ")?.split(' ');
    let n = words.next()?.parse().ok()?;
    let stamp = words.next()?.parse().ok()?;
    Some((n, stamp))
}

/// The text of a `message` event's data (`data.text`; `data.content` as a fallback).
fn text_of(data: &Value) -> Option<&str> {
    data.get("text")
        .and_then(Value::as_str)
        .or_else(|| data.get("content").and_then(Value::as_str))
        .or_else(|| {
            data.get("content")
                .and_then(|c| c.get("Text").or_else(|| c.get("text")))
                .and_then(Value::as_str)
        })
}

impl Collector {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets the load messages seen so far; from now on only those stamped at or after
    /// `since_us` count.
    pub(crate) fn reset(&self, since_us: u64) {
        let mut inner = self.lock();
        inner.since_us = since_us;
        inner.seen.clear();
        inner.deliveries.clear();
        inner.duplicates = 0;
    }

    /// Forgets the `resumed` events seen so far.
    pub(crate) fn reset_resumed(&self) {
        self.lock().resumed.clear();
    }

    /// Takes in one event (the API's event JSON) that arrived at `arrival_us`.
    pub(crate) fn event(&self, event: &Value, arrival_us: u64) {
        match event.get("type").and_then(Value::as_str) {
            Some("message") => {
                let Some((n, stamp_us)) = event.get("data").and_then(text_of).and_then(parse_load)
                else {
                    return;
                };
                let mut inner = self.lock();
                if stamp_us < inner.since_us {
                    return;
                }
                if inner.seen.insert(n) {
                    inner.deliveries.push(Delivery {
                        n,
                        stamp_us,
                        arrival_us,
                    });
                } else {
                    inner.duplicates += 1;
                }
            }
            Some("resumed") => {
                if let Some(account) = event.get("account").and_then(Value::as_str) {
                    self.lock()
                        .resumed
                        .entry(account.to_string())
                        .or_insert(arrival_us);
                }
            }
            _ => {}
        }
    }

    /// A webhook delivery whose signature did not check.
    pub(crate) fn bad_signature(&self) {
        self.lock().bad_signatures += 1;
    }

    /// Load messages received (each counted once).
    pub(crate) fn count(&self) -> usize {
        self.lock().deliveries.len()
    }

    /// The load messages received and the duplicates.
    pub(crate) fn deliveries(&self) -> (Vec<Delivery>, u64) {
        let inner = self.lock();
        (inner.deliveries.clone(), inner.duplicates)
    }

    /// Accounts whose `resumed` event came, and the last arrival (Unix µs).
    pub(crate) fn resumed(&self) -> (usize, u64) {
        let inner = self.lock();
        (
            inner.resumed.len(),
            inner.resumed.values().copied().max().unwrap_or(0),
        )
    }

    /// Webhook deliveries whose signature did not check.
    pub(crate) fn bad_signatures(&self) -> u64 {
        self.lock().bad_signatures
    }
}
