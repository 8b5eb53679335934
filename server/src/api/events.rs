//! Server-Sent Events: every event of the accounts a token may see (or of one account), from
//! the outbox, in id order, resumable with `Last-Event-ID` (or `?after=`).
//!
//! Event ids come from the database in the order transactions *began* writing them; on
//! PostgreSQL a transaction can commit after one that took a later id. A stream therefore
//! remembers the ids it skipped and looks for them again for [`GAP_WAIT`] before giving up on
//! them, so a late commit is still delivered (after events with higher ids; every event
//! carries its id).

use super::AppState;
use super::accounts::visible;
use super::auth::Caller;
use super::error::ApiError;
use crate::db::EventRow;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a skipped id is looked for.
const GAP_WAIT: Duration = Duration::from_secs(10);

/// How often the outbox is read when this node wrote nothing meanwhile.
const POLL: Duration = Duration::from_millis(250);

/// The most events read at once.
const PAGE: i64 = 500;

/// The shortest time between two reads of one stream (events written meanwhile come in one
/// read, however often the node rings).
const PACE: Duration = Duration::from_millis(50);

/// Where to start.
#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct From {
    /// Start after this event id (0: from the oldest kept). Without it and without
    /// `Last-Event-ID`, the stream starts with the next new event.
    after: Option<i64>,
}

/// Events of every account the token may see.
#[utoipa::path(get, path = "/v1/events", tag = "events", params(From),
    responses((status = 200, content_type = "text/event-stream",
        description = "`id: <event id>`, `event: <type>`, `data: {\"id\",\"account\",\"type\",\"at\",\"data\"}`")),
    security(("bearer" = [])))]
pub(crate) async fn stream(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    Query(from): Query<From>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let start = start_of(&headers, &from);
    open(state, caller, None, start).await
}

/// Events of one account.
#[utoipa::path(get, path = "/v1/accounts/{id}/events", tag = "events",
    params(("id" = String, Path, description = "The account's id"), From),
    responses((status = 200, content_type = "text/event-stream", description = "As /v1/events"),
        (status = 404, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn account_stream(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(from): Query<From>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    visible(&state, &caller, &id).await?;
    let start = start_of(&headers, &from);
    open(state, caller, Some(id), start).await
}

/// Where a stream starts: `Last-Event-ID`, else `?after=`.
fn start_of(headers: &HeaderMap, from: &From) -> Option<i64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .or(from.after)
}

async fn open(
    state: Arc<AppState>,
    caller: Caller,
    account: Option<String>,
    start: Option<i64>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let floor = match start {
        Some(id) => id.max(0),
        None => state.node.db.last_event_id().await?,
    };
    let cursor = Cursor {
        state,
        caller,
        account,
        floor,
        seen: BTreeSet::new(),
        missing: BTreeMap::new(),
        ready: VecDeque::new(),
        polled: false,
        last_read: Instant::now(),
    };
    let stream = futures_util::stream::unfold(cursor, |mut cursor| async move {
        let row = cursor.next().await?;
        let event = Event::default()
            .id(row.id.to_string())
            .event(row.kind.clone())
            .data(row.to_json());
        Some((Ok(event), cursor))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// A stream's place in the outbox.
struct Cursor {
    state: Arc<AppState>,
    caller: Caller,
    account: Option<String>,
    /// Every id up to here was sent or given up.
    floor: i64,
    /// Ids above `floor` already sent.
    seen: BTreeSet<i64>,
    /// Ids above `floor` not seen yet, and since when.
    missing: BTreeMap<i64, Instant>,
    /// Read, not yet sent.
    ready: VecDeque<EventRow>,
    /// Whether the outbox was read since the last wait.
    polled: bool,
    /// When it was read last.
    last_read: Instant,
}

impl Cursor {
    /// The next event to send; `None` when the node shuts down.
    async fn next(&mut self) -> Option<EventRow> {
        let mut shutdown = self.state.node.shutdown.subscribe();
        loop {
            if let Some(row) = self.ready.pop_front() {
                return Some(row);
            }
            if *shutdown.borrow() {
                return None;
            }
            if self.polled {
                let node = &self.state.node;
                tokio::select! {
                    () = node.new_events.notified() => {}
                    () = tokio::time::sleep(POLL) => {}
                    _ = shutdown.changed() => return None,
                }
                if let Some(wait) = PACE.checked_sub(self.last_read.elapsed()) {
                    tokio::time::sleep(wait).await;
                }
            }
            self.polled = true;
            self.last_read = Instant::now();
            if let Err(e) = self.read().await {
                tracing::debug!(error = %e, "an event stream cannot read the outbox");
            }
        }
    }

    async fn read(&mut self) -> Result<(), crate::db::DbError> {
        let db = &self.state.node.db;
        let mut rows = db
            .events_after(self.floor, self.account.as_deref(), PAGE)
            .await?;
        // Ids skipped before that may have been committed since.
        let late: Vec<i64> = self.missing.keys().copied().collect();
        if !late.is_empty() && self.account.is_none() {
            rows.extend(db.events_by_id(&late).await?);
        }
        let now = Instant::now();
        let top = rows.iter().map(|r| r.id).max().unwrap_or(self.floor);
        let got: BTreeSet<i64> = rows.iter().map(|r| r.id).collect();
        for row in rows {
            if row.id <= self.floor || !self.seen.insert(row.id) {
                continue;
            }
            self.missing.remove(&row.id);
            if self.caller.may(&row.account_id) {
                self.ready.push_back(row);
            }
        }
        self.ready.make_contiguous().sort_by_key(|r| r.id);
        // Ids between the floor and the top that did not come are gaps. A single account's
        // stream cannot tell another account's id from a gap: it does not wait for them.
        if self.account.is_none() {
            for id in self.floor + 1..top {
                if !got.contains(&id) && !self.seen.contains(&id) {
                    self.missing.entry(id).or_insert(now);
                }
            }
        }
        self.missing
            .retain(|_, since| now.duration_since(*since) < GAP_WAIT);
        // The floor moves up to the first id still awaited.
        let limit = self.missing.keys().next().map_or(i64::MAX, |m| m - 1);
        while let Some(&first) = self.seen.first() {
            if first <= limit {
                self.floor = self.floor.max(first);
                self.seen.pop_first();
            } else {
                break;
            }
        }
        if self.missing.is_empty() {
            self.floor = self.floor.max(top.min(limit));
        }
        Ok(())
    }
}
