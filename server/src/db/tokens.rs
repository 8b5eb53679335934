//! API tokens: stored as the SHA-256 of the secret, with the accounts they may see.

use super::{Db, DbError};
use sqlx::Row;

/// A stored token.
#[derive(Clone, Debug)]
pub(crate) struct TokenRow {
    /// Its id (not secret: shown in lists, used to delete it).
    pub(crate) id: String,
    /// `*` for every account, else a JSON list of account ids.
    pub(crate) accounts: String,
    /// When it was made.
    pub(crate) created_at: i64,
}

impl Db {
    /// Stores a token by the hash of its secret.
    pub(crate) async fn insert_token(
        &self,
        id: &str,
        hash: &str,
        accounts: &str,
        now: i64,
    ) -> Result<bool, DbError> {
        let _writing = self.write_lock().await;
        let done = sqlx::query(
            "INSERT INTO tokens (id, hash, accounts, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(hash)
        .bind(accounts)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The token whose secret hashes to `hash`.
    pub(crate) async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRow>, DbError> {
        let row = sqlx::query("SELECT id, accounts, created_at FROM tokens WHERE hash = $1")
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| token(&r)).transpose()
    }

    /// Every token, oldest first.
    pub(crate) async fn tokens(&self) -> Result<Vec<TokenRow>, DbError> {
        let rows =
            sqlx::query("SELECT id, accounts, created_at FROM tokens ORDER BY created_at, id")
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(token).collect()
    }

    /// Deletes a token; whether it existed.
    pub(crate) async fn delete_token(&self, id: &str) -> Result<bool, DbError> {
        let _writing = self.write_lock().await;
        let done = sqlx::query("DELETE FROM tokens WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many tokens exist.
    pub(crate) async fn token_count(&self) -> Result<i64, DbError> {
        sqlx::query("SELECT COUNT(*) FROM tokens")
            .fetch_one(self.pool())
            .await?
            .try_get(0)
    }
}

fn token(r: &sqlx::any::AnyRow) -> Result<TokenRow, DbError> {
    Ok(TokenRow {
        id: r.try_get("id")?,
        accounts: r.try_get("accounts")?,
        created_at: r.try_get("created_at")?,
    })
}
