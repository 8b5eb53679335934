//! The event outbox: every event a session yields is written in the same transaction that
//! moves the session's cursor, then read by the SSE streams and delivered to the webhook.
//!
//! A message's event carries the message id as its de-duplication key: a message fetched again
//! after a takeover (the cursor was saved before it) finds its event already there, and keeps
//! its one event id.

use super::{Db, DbError};
use sqlx::Row;
use sqlx::any::AnyRow;

/// An event to store.
#[derive(Clone, Debug)]
pub(crate) struct NewEvent {
    /// Its type (`message`, `sent`, ...).
    pub(crate) kind: &'static str,
    /// What makes it the same event when seen twice (`msg:<MsgId>`), if anything.
    pub(crate) dedup: Option<String>,
    /// Its `data`, JSON.
    pub(crate) data: String,
    /// Whether it still goes to the webhook (`false`: no webhook configured).
    pub(crate) deliver: bool,
}

/// A stored event.
#[derive(Clone, Debug)]
pub(crate) struct EventRow {
    /// Its id: increasing, the SSE id and the webhook's de-duplication key.
    pub(crate) id: i64,
    /// The account it is about.
    pub(crate) account_id: String,
    /// Its type.
    pub(crate) kind: String,
    /// Its `data`, JSON.
    pub(crate) data: String,
    /// When it was stored (Unix ms).
    pub(crate) created_at: i64,
    /// Failed webhook deliveries so far.
    pub(crate) attempts: i64,
}

impl EventRow {
    /// The event as the API shows it: `{"id", "account", "type", "at", "data"}`.
    pub(crate) fn to_json(&self) -> String {
        let data = if self.data.is_empty() {
            "null"
        } else {
            &self.data
        };
        format!(
            r#"{{"id":{},"account":{},"type":{},"at":{},"data":{}}}"#,
            self.id,
            serde_json::Value::from(self.account_id.as_str()),
            serde_json::Value::from(self.kind.as_str()),
            self.created_at,
            data
        )
    }
}

const COLUMNS: &str = "id, account_id, kind, body, created_at, attempts";

impl NewEvent {
    /// Inserts it within `tx`, unless an event with its key is there already.
    pub(crate) async fn insert(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        account: &str,
        now: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO events (account_id, kind, dedup, body, created_at, delivered_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(account)
        .bind(self.kind)
        .bind(self.dedup.as_deref())
        .bind(self.data.as_str())
        .bind(now)
        .bind(if self.deliver { None } else { Some(now) })
        .execute(&mut **tx)
        .await
        .map(|_| ())
    }
}

impl Db {
    /// Events after `after`, in id order, of one account or of all.
    pub(crate) async fn events_after(
        &self,
        after: i64,
        account: Option<&str>,
        limit: i64,
    ) -> Result<Vec<EventRow>, DbError> {
        let rows = match account {
            Some(account) => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM events WHERE account_id = $1 AND id > $2 \
                     ORDER BY id LIMIT $3"
                ))
                .bind(account)
                .bind(after)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM events WHERE id > $1 ORDER BY id LIMIT $2"
                ))
                .bind(after)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(event).collect()
    }

    /// The events with these ids (the ones a stream saw missing: written by a transaction that
    /// committed after a later id's).
    pub(crate) async fn events_by_id(&self, ids: &[i64]) -> Result<Vec<EventRow>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM events WHERE id IN ({list}) ORDER BY id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(event).collect()
    }

    /// The highest event id (0 when none).
    pub(crate) async fn last_event_id(&self) -> Result<i64, DbError> {
        let id: Option<i64> = sqlx::query("SELECT MAX(id) FROM events")
            .fetch_one(self.pool())
            .await?
            .try_get(0)?;
        Ok(id.unwrap_or(0))
    }

    /// Claims up to `limit` events due for the webhook for `claim` until `until`, and returns
    /// them. Another node's claim that ran out (it died mid-delivery) is taken over.
    pub(crate) async fn claim_deliveries(
        &self,
        claim: &str,
        until: i64,
        now: i64,
        limit: i64,
    ) -> Result<Vec<EventRow>, DbError> {
        let _writing = self.write_lock().await;
        // The outer conditions are checked again on each row as it is updated, so two nodes
        // racing for the same rows do not both get them (PostgreSQL re-reads a row that a
        // concurrent update changed; SQLite has one writer). On PostgreSQL the rows another
        // node is claiming are skipped rather than waited for: two claims locking rows in
        // different orders would deadlock.
        let lock = match self.backend() {
            super::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            super::Backend::Sqlite => "",
        };
        sqlx::query(&format!(
            "UPDATE events SET claim = $1, claim_until = $2 \
             WHERE delivered_at IS NULL AND claim_until < $3 AND next_attempt_at <= $3 \
             AND id IN (SELECT id FROM events WHERE delivered_at IS NULL AND claim_until < $3 \
             AND next_attempt_at <= $3 ORDER BY id LIMIT $4{lock})"
        ))
        .bind(claim)
        .bind(until)
        .bind(now)
        .bind(limit)
        .execute(self.pool())
        .await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM events WHERE claim = $1 AND claim_until = $2 \
             AND delivered_at IS NULL ORDER BY id"
        ))
        .bind(claim)
        .bind(until)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(event).collect()
    }

    /// Frees the undelivered events claimed under names starting with `prefix` (a node's
    /// claims from before it was started again); how many.
    pub(crate) async fn drop_claims_of(&self, prefix: &str) -> Result<u64, DbError> {
        let _writing = self.write_lock().await;
        let len = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
        let done = sqlx::query(
            "UPDATE events SET claim = NULL, claim_until = 0 \
             WHERE delivered_at IS NULL AND claim IS NOT NULL AND substr(claim, 1, CAST($1 AS INTEGER)) = $2",
        )
        .bind(len)
        .bind(prefix)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// The webhook took these events.
    pub(crate) async fn delivered(&self, ids: &[i64], now: i64) -> Result<(), DbError> {
        let _writing = self.write_lock().await;
        if ids.is_empty() {
            return Ok(());
        }
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        sqlx::query(&format!(
            "UPDATE events SET delivered_at = $1, claim = NULL WHERE id IN ({list})"
        ))
        .bind(now)
        .execute(self.pool())
        .await
        .map(|_| ())
    }

    /// The webhook refused an event: try again at `next`.
    pub(crate) async fn delivery_failed(&self, id: i64, next: i64) -> Result<(), DbError> {
        let _writing = self.write_lock().await;
        sqlx::query(
            "UPDATE events SET attempts = attempts + 1, next_attempt_at = $1, claim = NULL, \
             claim_until = 0 WHERE id = $2",
        )
        .bind(next)
        .bind(id)
        .execute(self.pool())
        .await
        .map(|_| ())
    }

    /// Events not yet delivered to the webhook.
    pub(crate) async fn webhook_backlog(&self) -> Result<i64, DbError> {
        sqlx::query("SELECT COUNT(*) FROM events WHERE delivered_at IS NULL")
            .fetch_one(self.pool())
            .await?
            .try_get(0)
    }
}

impl Db {
    /// Deletes delivered events and finished actions older than `before` (Unix ms); how many.
    pub(crate) async fn forget_before(&self, before: i64) -> Result<u64, DbError> {
        let _writing = self.write_lock().await;
        let events =
            sqlx::query("DELETE FROM events WHERE created_at < $1 AND delivered_at IS NOT NULL")
                .bind(before)
                .execute(self.pool())
                .await?;
        let actions = sqlx::query(
            "DELETE FROM actions WHERE updated_at < $1 AND status IN ('done', 'failed')",
        )
        .bind(before)
        .execute(self.pool())
        .await?;
        Ok(events.rows_affected() + actions.rows_affected())
    }
}

fn event(r: &AnyRow) -> Result<EventRow, DbError> {
    Ok(EventRow {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        kind: r.try_get("kind")?,
        data: r.try_get("body")?,
        created_at: r.try_get("created_at")?,
        attempts: r.try_get("attempts")?,
    })
}
