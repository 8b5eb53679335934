//! The nodes and where their API answers.

use super::{Db, DbError};
use sqlx::Row;

impl Db {
    /// Records that node `id` answers at `url`, now.
    pub(crate) async fn node_seen(&self, id: &str, url: &str, now: i64) -> Result<(), DbError> {
        let _writing = self.write_lock().await;
        sqlx::query(
            "INSERT INTO nodes (id, url, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET url = $2, seen_at = $3",
        )
        .bind(id)
        .bind(url)
        .bind(now)
        .execute(self.pool())
        .await
        .map(|_| ())
    }

    /// Where node `id` answers.
    pub(crate) async fn node_url(&self, id: &str) -> Result<Option<String>, DbError> {
        let row = sqlx::query("SELECT url FROM nodes WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| r.try_get(0)).transpose()
    }

    /// The `data` of the event of message `msg_id` of `account`.
    pub(crate) async fn message_data(
        &self,
        account: &str,
        msg_id: &str,
    ) -> Result<Option<String>, DbError> {
        let row = sqlx::query("SELECT body FROM events WHERE account_id = $1 AND dedup = $2")
            .bind(account)
            .bind(format!("msg:{msg_id}"))
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| r.try_get(0)).transpose()
    }
}
