//! The action queue: sends and operations asked of an account through the API, on any node.
//! The node holding the account makes them. A send is recorded with its LocalID before it is
//! made, so the node that takes an account over makes an unfinished send again with the same
//! LocalID, and the server takes both as one message.

use super::{Db, DbError};
use sqlx::Row;
use sqlx::any::AnyRow;

/// An action to record.
#[derive(Clone, Debug)]
pub(crate) struct NewAction {
    /// Its id.
    pub(crate) id: String,
    /// The account.
    pub(crate) account_id: String,
    /// What it is (`text`, `file`, `remark`, ...).
    pub(crate) kind: String,
    /// Its arguments, JSON.
    pub(crate) args: String,
    /// The LocalID of a send.
    pub(crate) local_id: Option<String>,
    /// The bytes of a file to send.
    pub(crate) file: Option<Vec<u8>>,
}

/// A stored action.
#[derive(Clone, Debug)]
pub(crate) struct ActionRow {
    /// Its id.
    pub(crate) id: String,
    /// The account.
    pub(crate) account_id: String,
    /// What it is.
    pub(crate) kind: String,
    /// Its arguments, JSON.
    pub(crate) args: String,
    /// The LocalID of a send.
    pub(crate) local_id: Option<String>,
    /// `pending`, `running`, `done` or `failed`.
    pub(crate) status: String,
    /// What it did, JSON (`done`).
    pub(crate) result: Option<String>,
    /// Why it failed (`failed`).
    pub(crate) error: Option<String>,
    /// When it was asked for (Unix ms).
    pub(crate) created_at: i64,
    /// Its last change (Unix ms).
    pub(crate) updated_at: i64,
}

const COLUMNS: &str =
    "id, account_id, kind, args, local_id, status, result, error, created_at, updated_at";

impl Db {
    /// Records an action, `pending`.
    pub(crate) async fn insert_action(&self, action: &NewAction, now: i64) -> Result<(), DbError> {
        let _writing = self.write_lock().await;
        sqlx::query(
            "INSERT INTO actions (id, account_id, kind, args, local_id, file, status, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7)",
        )
        .bind(&action.id)
        .bind(&action.account_id)
        .bind(&action.kind)
        .bind(&action.args)
        .bind(action.local_id.as_deref())
        .bind(action.file.as_deref())
        .bind(now)
        .execute(self.pool())
        .await
        .map(|_| ())
    }

    /// One action of one account.
    pub(crate) async fn action(
        &self,
        account: &str,
        id: &str,
    ) -> Result<Option<ActionRow>, DbError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM actions WHERE id = $1 AND account_id = $2"
        ))
        .bind(id)
        .bind(account)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| action(&r)).transpose()
    }

    /// The account's actions not yet made (with `running` ones too after a takeover: their
    /// outcome was not recorded), oldest first.
    pub(crate) async fn open_actions(
        &self,
        account: &str,
        with_running: bool,
    ) -> Result<Vec<ActionRow>, DbError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM actions WHERE account_id = $1 \
             AND (status = 'pending' OR ($2 = 1 AND status = 'running')) \
             ORDER BY created_at, id LIMIT 100"
        ))
        .bind(account)
        .bind(i64::from(with_running))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(action).collect()
    }

    /// The bytes of a file action.
    pub(crate) async fn action_file(&self, id: &str) -> Result<Option<Vec<u8>>, DbError> {
        let row = sqlx::query("SELECT file FROM actions WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(r) => r.try_get(0)?,
            None => None,
        })
    }

    /// Moves an action on; a finished one drops its file.
    pub(crate) async fn set_action(
        &self,
        id: &str,
        status: &str,
        result: Option<&str>,
        error: Option<&str>,
        now: i64,
    ) -> Result<(), DbError> {
        let _writing = self.write_lock().await;
        let finished = status == "done" || status == "failed";
        sqlx::query(&format!(
            "UPDATE actions SET status = $1, result = $2, error = $3, updated_at = $4{} \
             WHERE id = $5",
            if finished { ", file = NULL" } else { "" }
        ))
        .bind(status)
        .bind(result)
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await
        .map(|_| ())
    }

    /// Fails every unfinished action of an account whose session ended.
    pub(crate) async fn fail_open_actions(
        &self,
        account: &str,
        error: &str,
        now: i64,
    ) -> Result<(), DbError> {
        let _writing = self.write_lock().await;
        sqlx::query(
            "UPDATE actions SET status = 'failed', error = $1, updated_at = $2, file = NULL \
             WHERE account_id = $3 AND status IN ('pending', 'running')",
        )
        .bind(error)
        .bind(now)
        .bind(account)
        .execute(self.pool())
        .await
        .map(|_| ())
    }
}

fn action(r: &AnyRow) -> Result<ActionRow, DbError> {
    Ok(ActionRow {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        kind: r.try_get("kind")?,
        args: r.try_get("args")?,
        local_id: r.try_get("local_id")?,
        status: r.try_get("status")?,
        result: r.try_get("result")?,
        error: r.try_get("error")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Db {
    /// The accounts that have actions waiting (for the nodes holding them to wake).
    pub(crate) async fn accounts_with_pending_actions(&self) -> Result<Vec<String>, DbError> {
        let rows = sqlx::query("SELECT DISTINCT account_id FROM actions WHERE status = 'pending'")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| r.try_get(0)).collect()
    }
}
