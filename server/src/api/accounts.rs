//! Accounts: make one and log it in, list them, look at one, its QR code, delete one.

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use crate::clock::{now_ms, random_hex};
use crate::db::AccountRow;
use crate::node::{LoginError, login};
use crate::state::AccountState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// An account as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Account {
    /// The service's id of it.
    id: String,
    /// Where it stands.
    state: AccountState,
    /// The WeChat uin, once logged in.
    uin: Option<String>,
    /// Its nick name, once set up.
    nick_name: Option<String>,
    /// The node running it (while its lease is live).
    node: Option<String>,
    /// The QR code to scan, while a login waits for it.
    qr: Option<Qr>,
    /// Why its last session ended or its last login failed.
    last_error: Option<String>,
    /// When it was made (Unix ms).
    created_at: i64,
    /// Its last change (Unix ms).
    updated_at: i64,
}

/// A QR code to scan with the phone.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Qr {
    /// What the code encodes (render it yourself, or fetch `png_url`).
    payload: String,
    /// A PNG of it on this API (with the same bearer token).
    png_url: String,
}

/// Every account the token may see.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AccountList {
    /// The accounts, by id.
    accounts: Vec<Account>,
}

/// A login's first answer.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct LoginAnswer {
    /// The account.
    account: Account,
    /// The QR code to scan (absent when the phone confirms the last session's login, or the
    /// account is online already).
    qr: Option<Qr>,
}

/// `POST /v1/accounts`.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAccount {
    /// Its id: 1 to 64 of `A-Z a-z 0-9 _ -` (default: a random one).
    id: Option<String>,
}

fn qr_of(id: &str, payload: Option<&str>) -> Option<Qr> {
    payload.map(|p| Qr {
        payload: p.to_string(),
        png_url: format!("/v1/accounts/{id}/qr.png"),
    })
}

pub(crate) fn account_json(row: AccountRow, now: i64) -> Account {
    let node = row.owner.filter(|_| row.lease_until >= now);
    Account {
        qr: qr_of(&row.id, row.qr_payload.as_deref()),
        id: row.id,
        state: row.state,
        uin: row.uin,
        nick_name: row.nick_name,
        node,
        last_error: row.last_error,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The account `id` if the caller may see it.
pub(crate) async fn visible(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<AccountRow, ApiError> {
    if !caller.may(id) {
        return Err(ApiError::unknown_account(id));
    }
    state
        .node
        .db
        .account(id)
        .await?
        .ok_or_else(|| ApiError::unknown_account(id))
}

fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Lists the accounts.
#[utoipa::path(get, path = "/v1/accounts", tag = "accounts",
    responses((status = 200, body = AccountList), (status = 401, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> Result<Json<AccountList>, ApiError> {
    let now = now_ms();
    let accounts = state
        .node
        .db
        .accounts()
        .await?
        .into_iter()
        .filter(|a| caller.may(&a.id))
        .map(|a| account_json(a, now))
        .collect();
    Ok(Json(AccountList { accounts }))
}

/// Makes an account and starts its login (admin tokens only).
#[utoipa::path(post, path = "/v1/accounts", tag = "accounts", request_body = NewAccount,
    responses((status = 201, body = LoginAnswer), (status = 400, body = super::error::ErrorBody),
        (status = 403, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<LoginAnswer>), ApiError> {
    caller.admin()?;
    // The body is optional: no body is `{}`.
    let body: NewAccount = if body.iter().all(u8::is_ascii_whitespace) {
        NewAccount::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_json", e.to_string()))?
    };
    let id = match body.id {
        Some(id) if valid_id(&id) => id,
        Some(_) => {
            return Err(ApiError::bad_request(
                "`id` must be 1 to 64 of A-Z a-z 0-9 _ -",
            ));
        }
        None => format!("acc_{}", random_hex(8)?),
    };
    if !state.node.db.insert_account(&id, now_ms()).await? {
        return Err(ApiError::conflict(format!(
            "account {id} exists; POST /v1/accounts/{id}/login logs it in again"
        )));
    }
    let answer = start_login(&state, &id).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

async fn start_login(state: &Arc<AppState>, id: &str) -> Result<LoginAnswer, ApiError> {
    let started = login::start(&state.node, id).await.map_err(|e| match e {
        LoginError::Busy => ApiError::conflict(e.to_string()),
        other => ApiError::internal(other),
    })?;
    let row = state
        .node
        .db
        .account(id)
        .await?
        .ok_or_else(|| ApiError::unknown_account(id))?;
    let mut account = account_json(row, now_ms());
    if account.state == AccountState::Login {
        account.qr = qr_of(id, started.qr.as_deref());
    }
    Ok(LoginAnswer {
        qr: qr_of(id, started.qr.as_deref()).filter(|_| started.state == AccountState::Login),
        account,
    })
}

/// One account.
#[utoipa::path(get, path = "/v1/accounts/{id}", tag = "accounts",
    params(("id" = String, Path, description = "The account's id")),
    responses((status = 200, body = Account), (status = 404, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn get_one(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Account>, ApiError> {
    let row = visible(&state, &caller, &id).await?;
    Ok(Json(account_json(row, now_ms())))
}

/// Logs a known account in again: with the last session's push login (the phone confirms) when
/// it has one, else a QR code.
#[utoipa::path(post, path = "/v1/accounts/{id}/login", tag = "accounts",
    params(("id" = String, Path, description = "The account's id")),
    responses((status = 200, body = LoginAnswer), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn login(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<LoginAnswer>, ApiError> {
    visible(&state, &caller, &id).await?;
    Ok(Json(start_login(&state, &id).await?))
}

/// The QR code of the login that waits, as a PNG.
#[utoipa::path(get, path = "/v1/accounts/{id}/qr.png", tag = "accounts",
    params(("id" = String, Path, description = "The account's id")),
    responses((status = 200, content_type = "image/png", description = "The QR code"),
        (status = 404, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn qr_png(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let row = visible(&state, &caller, &id).await?;
    let payload = row.qr_payload.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no login waits for a scan",
        )
    })?;
    let png = crate::qr::qr_png(&payload).map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        png,
    ))
}

/// Deletes an account that is logged out (with its events and actions).
#[utoipa::path(delete, path = "/v1/accounts/{id}", tag = "accounts",
    params(("id" = String, Path, description = "The account's id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn delete(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.admin()?;
    let row = visible(&state, &caller, &id).await?;
    if matches!(
        row.state,
        AccountState::Online | AccountState::Offline | AccountState::Login
    ) {
        return Err(ApiError::conflict("log the account out first"));
    }
    if !state.node.db.delete_account(&id, now_ms()).await? {
        return Err(ApiError::conflict(
            "a node still holds the account; try again",
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}
