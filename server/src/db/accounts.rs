//! Accounts and their leases: each account is held by at most one node at a time, until
//! `lease_until`; every claim raises its `fence`, and every write a holder makes names the fence
//! it holds, so a node that lost its lease (paused, partitioned, presumed dead) cannot write over
//! its successor.

use super::{Db, DbError, NewEvent};
use crate::state::AccountState;
use sqlx::Row;
use sqlx::any::AnyRow;

/// An account as stored (without its secrets: the saved session is read apart).
#[derive(Clone, Debug)]
pub(crate) struct AccountRow {
    /// The service's id of the account.
    pub(crate) id: String,
    /// Where it stands.
    pub(crate) state: AccountState,
    /// The WeChat uin, once logged in.
    pub(crate) uin: Option<String>,
    /// The account's nick name, once set up.
    pub(crate) nick_name: Option<String>,
    /// The node holding it, if its lease is live.
    pub(crate) owner: Option<String>,
    /// Until when (Unix ms).
    pub(crate) lease_until: i64,
    /// The QR code to scan, while a login waits for one.
    pub(crate) qr_payload: Option<String>,
    /// Why the last session ended or the last login failed.
    pub(crate) last_error: Option<String>,
    /// When it was made (Unix ms).
    pub(crate) created_at: i64,
    /// Its last change (Unix ms).
    pub(crate) updated_at: i64,
}

const COLUMNS: &str =
    "id, state, uin, nick_name, owner, lease_until, qr_payload, last_error, created_at, updated_at";

/// What a node took over: the fence it now holds and what it resumes from.
#[derive(Debug)]
pub(crate) struct Claim {
    /// The fencing token of this holding.
    pub(crate) fence: i64,
    /// The saved session (JSON), if any.
    pub(crate) session: Option<String>,
    /// The saved contacts (JSON), if any.
    pub(crate) contacts: Option<String>,
}

/// What one batch of a running session changes, written in one transaction.
#[derive(Clone, Debug, Default)]
pub(crate) struct Progress {
    /// The new state, if it changed.
    pub(crate) state: Option<AccountState>,
    /// The saved session: `Some(None)` clears it (the session ended).
    pub(crate) session: Option<Option<String>>,
    /// The contacts, when they changed.
    pub(crate) contacts: Option<String>,
    /// The uin, when learnt.
    pub(crate) uin: Option<String>,
    /// The nick name, when learnt.
    pub(crate) nick_name: Option<String>,
    /// The QR code to scan: `Some(None)` clears it.
    pub(crate) qr_payload: Option<Option<String>>,
    /// Why it ended.
    pub(crate) last_error: Option<String>,
    /// Give the lease up (the session ended).
    pub(crate) release: bool,
}

impl Db {
    /// Makes a new account; `false` when the id is taken.
    pub(crate) async fn insert_account(&self, id: &str, now: i64) -> Result<bool, DbError> {
        let _writing = self.write_lock().await;
        let done = sqlx::query(
            "INSERT INTO accounts (id, state, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(AccountState::New.as_str())
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// One account.
    pub(crate) async fn account(&self, id: &str) -> Result<Option<AccountRow>, DbError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| account(&r)).transpose()
    }

    /// Every account, by id.
    pub(crate) async fn accounts(&self) -> Result<Vec<AccountRow>, DbError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM accounts ORDER BY id"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(account).collect()
    }

    /// How many accounts are in each state.
    pub(crate) async fn account_states(&self) -> Result<Vec<(String, i64)>, DbError> {
        let rows = sqlx::query("SELECT state, COUNT(*) FROM accounts GROUP BY state")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Deletes an account that no node holds, with its events and actions.
    pub(crate) async fn delete_account(&self, id: &str, now: i64) -> Result<bool, DbError> {
        let _writing = self.write_lock().await;
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "DELETE FROM accounts WHERE id = $1 AND (owner IS NULL OR lease_until < $2)",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            for table in ["events", "actions", "sessions"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE account_id = $1"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes an account for a login on node `me`: it must not be online, and no other node may
    /// hold it. Returns the fence and what a login may resume from.
    pub(crate) async fn claim_for_login(
        &self,
        id: &str,
        me: &str,
        until: i64,
        now: i64,
    ) -> Result<Option<Claim>, DbError> {
        let _writing = self.write_lock().await;
        let row = sqlx::query(
            "UPDATE accounts SET owner = $1, lease_until = $2, fence = fence + 1, state = $3, \
             qr_payload = NULL, last_error = NULL, updated_at = $4 \
             WHERE id = $5 AND state NOT IN ($6, $7) \
             AND (owner IS NULL OR lease_until < $4 OR owner = $1) \
             RETURNING fence",
        )
        .bind(me)
        .bind(until)
        .bind(AccountState::Login.as_str())
        .bind(now)
        .bind(id)
        .bind(AccountState::Online.as_str())
        .bind(AccountState::Offline.as_str())
        // All of it: the claim is committed once the statement has run to its end, and only
        // then may the holder act on it (another connection must see it).
        .fetch_all(self.pool())
        .await?;
        match row.first() {
            Some(r) => Ok(Some(self.claimed(id, r.try_get("fence")?).await?)),
            None => Ok(None),
        }
    }

    /// Accounts with a live session whose lease ran out (or, with `mine`, that `me` holds: a
    /// node restarted under its old name, or a session task of its own that ended): the ones to
    /// take over, oldest change first.
    pub(crate) async fn orphans(
        &self,
        me: &str,
        mine: bool,
        now: i64,
        limit: i64,
    ) -> Result<Vec<String>, DbError> {
        let rows = sqlx::query(
            "SELECT id FROM accounts WHERE state IN ($1, $2) \
             AND (owner IS NULL OR lease_until < $3 OR ($4 = 1 AND owner = $5)) \
             ORDER BY updated_at LIMIT $6",
        )
        .bind(AccountState::Online.as_str())
        .bind(AccountState::Offline.as_str())
        .bind(now)
        .bind(i64::from(mine))
        .bind(me)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| r.try_get(0)).collect()
    }

    /// Takes over an orphan; `None` when another node was quicker.
    pub(crate) async fn claim_orphan(
        &self,
        id: &str,
        me: &str,
        until: i64,
        now: i64,
    ) -> Result<Option<Claim>, DbError> {
        let _writing = self.write_lock().await;
        let row = sqlx::query(
            "UPDATE accounts SET owner = $1, lease_until = $2, fence = fence + 1, updated_at = $3 \
             WHERE id = $4 AND state IN ($5, $6) \
             AND (owner IS NULL OR lease_until < $3 OR owner = $1) \
             RETURNING fence",
        )
        .bind(me)
        .bind(until)
        .bind(now)
        .bind(id)
        .bind(AccountState::Online.as_str())
        .bind(AccountState::Offline.as_str())
        // All of it: the claim is committed once the statement has run to its end, and only
        // then may the holder act on it (another connection must see it).
        .fetch_all(self.pool())
        .await?;
        match row.first() {
            Some(r) => Ok(Some(self.claimed(id, r.try_get("fence")?).await?)),
            None => Ok(None),
        }
    }

    /// Renews every lease `me` holds, and returns them (account id, fence).
    pub(crate) async fn heartbeat(
        &self,
        me: &str,
        until: i64,
    ) -> Result<Vec<(String, i64)>, DbError> {
        let _writing = self.write_lock().await;
        // The fence has not moved while the owner is still `me`: nobody took the account over,
        // so renewing a lease that ran out meanwhile is safe.
        sqlx::query("UPDATE accounts SET lease_until = $1 WHERE owner = $2")
            .bind(until)
            .bind(me)
            .execute(self.pool())
            .await?;
        let rows = sqlx::query("SELECT id, fence FROM accounts WHERE owner = $1")
            .bind(me)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Logins whose node died: nobody can finish them (a QR login cannot move), so they end.
    pub(crate) async fn end_lost_logins(&self, now: i64) -> Result<u64, DbError> {
        let _writing = self.write_lock().await;
        let done = sqlx::query(
            "UPDATE accounts SET state = $1, owner = NULL, lease_until = 0, qr_payload = NULL, \
             last_error = $2, updated_at = $3 WHERE state = $4 AND lease_until < $3",
        )
        .bind(AccountState::LoggedOut.as_str())
        .bind("the node running the login stopped before it finished")
        .bind(now)
        .bind(AccountState::Login.as_str())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Writes a batch of a running session held with `fence`: the account's new state and
    /// saved session, and its events, in one transaction. `false` (nothing written) when the
    /// lease is no longer this holder's.
    ///
    /// On SQLite the batches of all sessions that are ready go to one writer task, which
    /// commits them together (group commit: one transaction for many sessions' batches, each
    /// still checked against its fence).
    pub(crate) async fn progress(
        &self,
        id: &str,
        fence: i64,
        progress: &Progress,
        events: &[NewEvent],
        now: i64,
    ) -> Result<bool, DbError> {
        if let Some(writer) = &self.batches {
            let (reply, answer) = tokio::sync::oneshot::channel();
            let job = super::writer::Job {
                account: id.to_string(),
                fence,
                progress: progress.clone(),
                events: events.to_vec(),
                now,
                reply,
            };
            writer
                .send(job)
                .await
                .map_err(|_| sqlx::Error::PoolClosed)?;
            return answer
                .await
                .map_err(|_| sqlx::Error::PoolClosed)?
                .map_err(sqlx::Error::Protocol);
        }
        let mut tx = self.pool().begin().await?;
        if !write_batch(&mut tx, id, fence, progress, events, now).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    /// What a claim with `fence` resumes from.
    async fn claimed(&self, id: &str, fence: i64) -> Result<Claim, DbError> {
        let row = sqlx::query("SELECT session, contacts FROM sessions WHERE account_id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(Claim {
            fence,
            session: row
                .as_ref()
                .map(|r| r.try_get("session"))
                .transpose()?
                .flatten(),
            contacts: row
                .as_ref()
                .map(|r| r.try_get("contacts"))
                .transpose()?
                .flatten(),
        })
    }

    /// Gives a lease up without changing the account (a node shutting down).
    pub(crate) async fn release(&self, id: &str, fence: i64) -> Result<(), DbError> {
        let _writing = self.write_lock().await;
        sqlx::query(
            "UPDATE accounts SET owner = NULL, lease_until = 0 WHERE id = $1 AND fence = $2",
        )
        .bind(id)
        .bind(fence)
        .execute(self.pool())
        .await
        .map(|_| ())
    }
}

fn account(r: &AnyRow) -> Result<AccountRow, DbError> {
    let state: String = r.try_get("state")?;
    Ok(AccountRow {
        id: r.try_get("id")?,
        state: AccountState::parse(&state).unwrap_or(AccountState::LoggedOut),
        uin: r.try_get("uin")?,
        nick_name: r.try_get("nick_name")?,
        owner: r.try_get("owner")?,
        lease_until: r.try_get("lease_until")?,
        qr_payload: r.try_get("qr_payload")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Db {
    /// The account's saved contacts (JSON).
    pub(crate) async fn contacts(&self, id: &str) -> Result<Option<String>, DbError> {
        let row = sqlx::query("SELECT contacts FROM sessions WHERE account_id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(r) => r.try_get(0)?,
            None => None,
        })
    }
}

impl Db {
    /// Who holds an account, and with which fence.
    pub(crate) async fn holder(&self, id: &str) -> Result<Option<(Option<String>, i64)>, DbError> {
        let row = sqlx::query("SELECT owner, fence FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }
}

/// The statements of one batch, within `tx`: `false` (nothing written) when `fence` is not the
/// account's.
pub(crate) async fn write_batch(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    fence: i64,
    progress: &Progress,
    events: &[NewEvent],
    now: i64,
) -> Result<bool, DbError> {
    let mut sets = vec!["updated_at = $3".to_string()];
    let mut n = 3;
    let mut binds: Vec<Option<String>> = Vec::new();
    let mut set = |column: &str, value: Option<String>| {
        n += 1;
        sets.push(format!("{column} = ${n}"));
        binds.push(value);
    };
    let progress = progress.clone();
    if let Some(state) = progress.state {
        set("state", Some(state.as_str().to_string()));
    }
    if let Some(uin) = progress.uin {
        set("uin", Some(uin));
    }
    if let Some(nick) = progress.nick_name {
        set("nick_name", Some(nick));
    }
    if let Some(qr) = progress.qr_payload {
        set("qr_payload", qr);
    }
    if let Some(error) = progress.last_error {
        set("last_error", Some(error));
    }
    if progress.release {
        sets.push("owner = NULL".into());
        sets.push("lease_until = 0".into());
    }
    let sql = format!(
        "UPDATE accounts SET {} WHERE id = $1 AND fence = $2",
        sets.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(id).bind(fence).bind(now);
    for value in binds {
        query = query.bind(value);
    }
    if query.execute(&mut **tx).await?.rows_affected() != 1 {
        return Ok(false);
    }
    let saved = match (progress.session, progress.contacts) {
        (None, None) => None,
        (Some(session), None) => Some(("session = $2", session, None)),
        (None, Some(contacts)) => Some(("contacts = $3", None, Some(contacts))),
        (Some(session), Some(contacts)) => {
            Some(("session = $2, contacts = $3", session, Some(contacts)))
        }
    };
    if let Some((sets, session, contacts)) = saved {
        sqlx::query(&format!(
            "INSERT INTO sessions (account_id, session, contacts) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO UPDATE SET {sets}"
        ))
        .bind(id)
        .bind(session)
        .bind(contacts)
        .execute(&mut **tx)
        .await?;
    }
    for event in events {
        event.insert(tx, id, now).await?;
    }
    Ok(true)
}
