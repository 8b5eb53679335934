//! API tokens (admin tokens only): list, make (the secret is shown once), delete.

use super::AppState;
use super::auth::{Caller, Scope, hash, new_secret, parse_scope};
use super::error::{ApiError, ApiJson};
use crate::clock::now_ms;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A token (without its secret).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Token {
    /// Its id.
    id: String,
    /// The accounts it may see; absent: every account (an admin token).
    accounts: Option<Vec<String>>,
    /// When it was made (Unix ms).
    created_at: i64,
}

/// A new token, with its secret (shown this once).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct NewTokenAnswer {
    /// The token.
    #[serde(flatten)]
    token: Token,
    /// The secret to send as `Authorization: Bearer <secret>`.
    secret: String,
}

/// `POST /v1/tokens`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewToken {
    /// The accounts it may see (at most 10,000); absent: every account, and it may make
    /// accounts and tokens.
    accounts: Option<Vec<String>>,
}

/// The tokens.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TokenList {
    /// Oldest first.
    tokens: Vec<Token>,
}

fn token(id: String, stored: &str, created_at: i64) -> Token {
    let accounts = match parse_scope(stored) {
        Scope::Admin => None,
        Scope::Accounts(set) => {
            let mut list: Vec<String> = set.into_iter().collect();
            list.sort();
            Some(list)
        }
    };
    Token {
        id,
        accounts,
        created_at,
    }
}

/// Lists the tokens.
#[utoipa::path(get, path = "/v1/tokens", tag = "tokens",
    responses((status = 200, body = TokenList), (status = 403, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> Result<Json<TokenList>, ApiError> {
    caller.admin()?;
    let tokens = state
        .node
        .db
        .tokens()
        .await?
        .into_iter()
        .map(|t| token(t.id, &t.accounts, t.created_at))
        .collect();
    Ok(Json(TokenList { tokens }))
}

/// Makes a token.
#[utoipa::path(post, path = "/v1/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, body = NewTokenAnswer), (status = 400, body = super::error::ErrorBody),
        (status = 403, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<NewTokenAnswer>), ApiError> {
    caller.admin()?;
    let stored = match &body.accounts {
        None => "*".to_string(),
        Some(list)
            if list.len() <= 10_000 && list.iter().all(|a| !a.is_empty() && a.len() <= 64) =>
        {
            serde_json::to_string(list).map_err(ApiError::internal)?
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "`accounts` lists at most 10,000 account ids",
            ));
        }
    };
    let secret = new_secret()?;
    let digest = hash(&secret);
    let id = format!("tok_{}", &digest[..12.min(digest.len())]);
    let now = now_ms();
    if !state
        .node
        .db
        .insert_token(&id, &digest, &stored, now)
        .await?
    {
        return Err(ApiError::internal("a token id was taken"));
    }
    Ok((
        StatusCode::CREATED,
        Json(NewTokenAnswer {
            token: token(id, &stored, now),
            secret,
        }),
    ))
}

/// Deletes a token.
#[utoipa::path(delete, path = "/v1/tokens/{token}", tag = "tokens",
    params(("token" = String, Path, description = "The token's id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn delete(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.admin()?;
    if state.node.db.delete_token(&id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such token",
        ))
    }
}
