//! The scheduler: the requests in flight (each with its deadline), the calls waiting for their
//! time (retries after backoff, paced polls), the requests built and not yet handed to the
//! transport, and the clock as the core last saw it.

use super::calls::Call;
use crate::{RequestId, Timestamp, Transmit};
use std::collections::VecDeque;
use std::time::Duration;

/// How long past a request's own timeout the core waits for the transport to report.
const DEADLINE_GRACE: Duration = Duration::from_secs(5);

/// A request in flight.
pub(super) struct InFlight {
    pub(super) call: Call,
    /// Failed tries of this call before this one.
    pub(super) attempt: u32,
    pub(super) sent_at: Timestamp,
    /// When the core gives up waiting for the answer even if the transport never reports
    /// (a lost task or thread): the request then counts as timed out.
    deadline: Timestamp,
    /// The URI the request is for (the answer's cookies are stored against it): the request's
    /// own, sharing its bytes, so a request in flight holds its URL once.
    pub(super) uri: http::Uri,
}

/// A call waiting for its time (a retry after backoff, or a paced long poll).
pub(super) struct Scheduled {
    pub(super) at: Timestamp,
    pub(super) call: Call,
    pub(super) attempt: u32,
}

// Calls and URLs hold secrets (the login ticket, skey, sid): Debug shows the endpoint only.
impl std::fmt::Debug for InFlight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InFlight")
            .field("endpoint", &self.call.endpoint())
            .field("attempt", &self.attempt)
            .field("sent_at", &self.sent_at)
            .finish()
    }
}

impl std::fmt::Debug for Scheduled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduled")
            .field("endpoint", &self.call.endpoint())
            .field("attempt", &self.attempt)
            .field("at", &self.at)
            .finish()
    }
}

/// See the module docs.
#[derive(Debug, Default)]
pub(super) struct Scheduler {
    next_id: u64,
    /// The latest time passed in: a time before it is a step of the clock backwards.
    last_now: Option<Timestamp>,
    /// Requests sent and not answered, oldest first (a handful at most: a `Vec` costs less
    /// than a map for so few).
    in_flight: Vec<(RequestId, InFlight)>,
    scheduled: Vec<Scheduled>,
    transmits: VecDeque<Transmit>,
}

impl Scheduler {
    /// Takes the time passed in; returns the step when it went backwards (NTP, suspend), after
    /// moving every timer and deadline back by it, so that nothing waits for the clock to
    /// catch up.
    pub(super) fn observe(&mut self, now: Timestamp) -> Option<Duration> {
        let step = self
            .last_now
            .filter(|last| now < *last)
            .map(|last| last.saturating_since(now));
        if let Some(step) = step {
            for s in &mut self.scheduled {
                s.at = s.at.before(step);
            }
            for (_, f) in &mut self.in_flight {
                f.sent_at = f.sent_at.before(step);
                f.deadline = f.deadline.before(step);
            }
        }
        self.last_now = Some(now);
        step
    }

    /// The latest time passed in.
    pub(super) fn last_now(&self) -> Timestamp {
        self.last_now.unwrap_or_default()
    }

    /// Queues `request` of `call` for the transport and keeps it in flight until answered or
    /// past its deadline (twice its timeout plus a grace).
    pub(super) fn send(&mut self, call: Call, attempt: u32, now: Timestamp, transmit: Transmit) {
        let deadline = now
            .after(transmit.timeout.saturating_mul(2))
            .after(DEADLINE_GRACE);
        // Room for exactly what is in flight (usually one long poll), not a growth step's worth.
        self.in_flight.reserve_exact(1);
        self.in_flight.push((
            transmit.id,
            InFlight {
                call,
                attempt,
                sent_at: now,
                deadline,
                uri: transmit.request.uri().clone(),
            },
        ));
        self.transmits.push_back(transmit);
    }

    /// A fresh request id.
    pub(super) fn next_id(&mut self) -> RequestId {
        let id = RequestId(self.next_id);
        self.next_id += 1;
        id
    }

    /// Sends `call` at `at` (through [`Scheduler::due`]).
    pub(super) fn schedule(&mut self, at: Timestamp, call: Call, attempt: u32) {
        self.scheduled.push(Scheduled { at, call, attempt });
    }

    /// The request `id`, no longer in flight; `None` if it is unknown (answered already, or
    /// given up at its deadline).
    pub(super) fn take(&mut self, id: RequestId) -> Option<InFlight> {
        let at = self.in_flight.iter().position(|(i, _)| *i == id)?;
        let flight = self.in_flight.remove(at).1;
        // Room for what is still in flight (at least one: the next long poll reuses it), not
        // for the most that ever was (the few requests of the login).
        let keep = self.in_flight.len().max(1);
        if self.in_flight.capacity() > keep {
            self.in_flight.shrink_to(keep);
        }
        Some(flight)
    }

    /// The requests in flight past their deadline at `now`.
    pub(super) fn overdue(&self, now: Timestamp) -> Vec<RequestId> {
        self.in_flight
            .iter()
            .filter(|(_, f)| f.deadline <= now)
            .map(|(id, _)| *id)
            .collect()
    }

    /// The scheduled calls whose time has come at `now`, taken out.
    pub(super) fn due(&mut self, now: Timestamp) -> Vec<Scheduled> {
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.scheduled)
            .into_iter()
            .partition(|s| s.at <= now);
        self.scheduled = later;
        due
    }

    /// The calls in flight, then the scheduled ones.
    pub(super) fn calls(&self) -> impl Iterator<Item = &Call> {
        self.in_flight
            .iter()
            .map(|(_, f)| &f.call)
            .chain(self.scheduled.iter().map(|s| &s.call))
    }

    /// How many requests are in flight.
    pub(super) fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// The next request for the transport.
    pub(super) fn poll_transmit(&mut self) -> Option<Transmit> {
        let next = self.transmits.pop_front();
        if next.is_none() {
            // An idle session keeps no room for requests it is not making.
            self.transmits = VecDeque::new();
        }
        next
    }

    /// The earliest scheduled call or deadline.
    pub(super) fn poll_timeout(&self) -> Option<Timestamp> {
        let scheduled = self.scheduled.iter().map(|s| s.at);
        let deadlines = self.in_flight.iter().map(|(_, f)| f.deadline);
        scheduled.chain(deadlines).min()
    }

    /// Forgets the calls `matches` picks, in flight (their answers will be unknown), scheduled
    /// or waiting for the transport.
    pub(super) fn forget(&mut self, matches: impl Fn(&Call) -> bool) {
        let gone: Vec<RequestId> = self
            .in_flight
            .iter()
            .filter(|(_, f)| matches(&f.call))
            .map(|(id, _)| *id)
            .collect();
        self.in_flight.retain(|(id, _)| !gone.contains(id));
        self.transmits.retain(|t| !gone.contains(&t.id));
        self.scheduled.retain(|s| !matches(&s.call));
    }

    /// Forgets every request in flight, scheduled or waiting for the transport.
    pub(super) fn clear(&mut self) {
        self.in_flight.clear();
        self.scheduled.clear();
        self.transmits.clear();
    }
}
