//! Bearer tokens: each request names a token; the token says which accounts it may see (all,
//! or a list). Tokens are stored as the SHA-256 of their secret, never the secret.

use super::AppState;
use super::error::ApiError;
use crate::clock::{hex, now_ms, random_hex};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::Arc;

/// Who is asking.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    /// Which accounts it may see.
    pub(crate) scope: Scope,
}

/// The accounts a token may see.
#[derive(Clone, Debug)]
pub(crate) enum Scope {
    /// Every account; it may also make accounts and tokens.
    Admin,
    /// These accounts only.
    Accounts(HashSet<String>),
}

impl Caller {
    /// Whether it may see `account`.
    pub(crate) fn may(&self, account: &str) -> bool {
        match &self.scope {
            Scope::Admin => true,
            Scope::Accounts(set) => set.contains(account),
        }
    }

    /// Refuses a caller that is not an admin.
    pub(crate) fn admin(&self) -> Result<(), ApiError> {
        match self.scope {
            Scope::Admin => Ok(()),
            Scope::Accounts(_) => Err(ApiError::forbidden("this needs an admin token")),
        }
    }
}

/// The stored hash of a token's secret.
pub(crate) fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// A new token's secret: `wxs_` and 32 random bytes in hex.
pub(crate) fn new_secret() -> Result<String, rand_core::OsError> {
    Ok(format!("wxs_{}", random_hex(32)?))
}

/// Scope as stored: `*` or a JSON list.
pub(crate) fn parse_scope(stored: &str) -> Scope {
    if stored == "*" {
        return Scope::Admin;
    }
    Scope::Accounts(serde_json::from_str(stored).unwrap_or_default())
}

/// Makes sure a token with `secret` exists, with every account in scope.
pub(crate) async fn ensure_admin(
    db: &crate::db::Db,
    secret: &str,
) -> Result<(), crate::db::DbError> {
    let digest = hash(secret);
    if db.token_by_hash(&digest).await?.is_none() {
        let id = format!("tok_{}", &digest[..12.min(digest.len())]);
        db.insert_token(&id, &digest, "*", now_ms()).await?;
    }
    Ok(())
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(ApiError::unauthorized)?;
        let secret = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 256)
            .ok_or_else(ApiError::unauthorized)?;
        let token = state
            .node
            .db
            .token_by_hash(&hash(secret))
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        Ok(Caller {
            scope: parse_scope(&token.accounts),
        })
    }
}
