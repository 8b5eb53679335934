//! Sends and operations: recorded in the action queue (a send with its LocalID) before any
//! node makes them; the node holding the account makes them; the answer waits for the outcome
//! a while (`wait_ms`, default 10 s), else says `pending` (202) and the action's URL tells the
//! rest.

use super::AppState;
use super::accounts::visible;
use super::auth::Caller;
use super::error::{ApiError, ApiJson};
use crate::clock::{new_local_id, now_ms, random_hex};
use crate::db::{ActionRow, NewAction};
use crate::op::Op;
use crate::state::AccountState;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// The longest an answer waits for an action's outcome.
const MAX_WAIT_MS: u64 = 60_000;

/// An action as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Action {
    /// Its id.
    id: String,
    /// The account.
    account: String,
    /// What it is (`text`, `file`, `remark`, ...).
    kind: String,
    /// `pending` (queued), `running` (being made), `done` or `failed`.
    status: String,
    /// The LocalID of a send (also after a takeover: the message is made with it once).
    local_id: Option<String>,
    /// The server's id of a sent message.
    msg_id: Option<String>,
    /// What it did (`done`).
    #[schema(value_type = Option<Object>)]
    result: Option<Value>,
    /// Why it failed (`failed`).
    error: Option<String>,
    /// When it was asked for (Unix ms).
    created_at: i64,
    /// Its last change (Unix ms).
    updated_at: i64,
}

impl From<ActionRow> for Action {
    fn from(row: ActionRow) -> Action {
        let result: Option<Value> = row.result.and_then(|r| serde_json::from_str(&r).ok());
        let msg_id = result
            .as_ref()
            .and_then(|r| r.get("msg_id"))
            .and_then(Value::as_str)
            .map(str::to_string);
        Action {
            id: row.id,
            account: row.account_id,
            kind: row.kind,
            status: row.status,
            local_id: row.local_id,
            msg_id,
            result,
            error: row.error,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// How long to wait for the outcome.
#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct Wait {
    /// `false`: answer at once (202, `pending`).
    wait: Option<bool>,
    /// The longest wait in ms (default 10,000; at most 60,000).
    wait_ms: Option<u64>,
}

impl Wait {
    fn duration(&self) -> Duration {
        if self.wait == Some(false) {
            return Duration::ZERO;
        }
        Duration::from_millis(self.wait_ms.unwrap_or(10_000).min(MAX_WAIT_MS))
    }
}

/// `POST /v1/accounts/{id}/messages`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TextMessage {
    /// The receiver's user name (`@…`, `@@…` for a group, `filehelper`).
    to: String,
    /// The text.
    text: String,
}

/// Records `op` for the account and waits for its outcome.
async fn queue(
    state: &Arc<AppState>,
    caller: &Caller,
    account: &str,
    op: Op,
    file: Option<Vec<u8>>,
    wait: &Wait,
) -> Result<(StatusCode, Json<Action>), ApiError> {
    op.check().map_err(ApiError::bad_request)?;
    let row = visible(state, caller, account).await?;
    if !matches!(row.state, AccountState::Online | AccountState::Offline) {
        return Err(ApiError::not_online(account));
    }
    let local_id = match op {
        Op::Text { .. } | Op::File { .. } => Some(new_local_id()?),
        _ => None,
    };
    let action = NewAction {
        id: format!("act_{}", random_hex(10)?),
        account_id: account.to_string(),
        kind: op.kind().to_string(),
        args: serde_json::to_string(&op).map_err(ApiError::internal)?,
        local_id,
        file,
    };
    let db = &state.node.db;
    db.insert_action(&action, now_ms()).await?;
    state.node.wake(account);
    let deadline = tokio::time::Instant::now() + wait.duration();
    loop {
        let row = db
            .action(account, &action.id)
            .await?
            .ok_or_else(|| ApiError::internal("an action vanished"))?;
        let finished = row.status == "done" || row.status == "failed";
        if finished || tokio::time::Instant::now() >= deadline {
            let status = if finished {
                StatusCode::OK
            } else {
                StatusCode::ACCEPTED
            };
            return Ok((status, Json(Action::from(row))));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Sends a text.
#[utoipa::path(post, path = "/v1/accounts/{id}/messages", tag = "actions",
    params(("id" = String, Path, description = "The account's id"), Wait),
    request_body = TextMessage,
    responses((status = 200, body = Action, description = "Done or failed"),
        (status = 202, body = Action, description = "Still pending"),
        (status = 400, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn send_text(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    Query(wait): Query<Wait>,
    ApiJson(body): ApiJson<TextMessage>,
) -> Result<(StatusCode, Json<Action>), ApiError> {
    let op = Op::Text {
        to: body.to,
        text: body.text,
    };
    queue(&state, &caller, &id, op, None, &wait).await
}

/// The form of `POST /v1/accounts/{id}/files` (multipart/form-data).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct FileUpload {
    /// The receiver's user name.
    to: String,
    /// The file, with its name (whose extension decides what it is sent as: an image, a
    /// video, a sticker or a file).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Sends a file, an image, a video or a sticker, uploaded in the request.
#[utoipa::path(post, path = "/v1/accounts/{id}/files", tag = "actions",
    params(("id" = String, Path, description = "The account's id"), Wait),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = Action), (status = 202, body = Action),
        (status = 400, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody), (status = 413, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn send_file(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    Query(wait): Query<Wait>,
    mut form: Multipart,
) -> Result<(StatusCode, Json<Action>), ApiError> {
    // Who may see the account is checked before the upload is read.
    visible(&state, &caller, &id).await?;
    let limit = state.node.options.max_upload_bytes;
    let mut to = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(limit)
        } else {
            ApiError::bad_request(format!("unreadable form: {}", e.body_text()))
        }
    };
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("to") => to = Some(field.text().await.map_err(bad)?),
            Some("file") => {
                let name = field
                    .file_name()
                    .map(str::to_string)
                    .ok_or_else(|| ApiError::bad_request("the `file` part has no file name"))?;
                let mut bytes = Vec::new();
                let mut over = false;
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    if over || bytes.len() + chunk.len() > limit {
                        // Read on (bounded by the route's body limit) so that the client gets
                        // the answer rather than a connection closed under its upload.
                        over = true;
                        bytes = Vec::new();
                        continue;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if over {
                    while let Ok(Some(_)) = form.next_field().await {}
                    return Err(ApiError::too_large(limit));
                }
                file = Some((name, bytes));
            }
            _ => {
                return Err(ApiError::bad_request(
                    "unknown form field (expected `to` and `file`)",
                ));
            }
        }
    }
    let to = to.ok_or_else(|| ApiError::bad_request("the form has no `to`"))?;
    let (name, bytes) = file.ok_or_else(|| ApiError::bad_request("the form has no `file`"))?;
    if bytes.is_empty() {
        return Err(ApiError::bad_request("the file is empty"));
    }
    queue(
        &state,
        &caller,
        &id,
        Op::File { to, name },
        Some(bytes),
        &wait,
    )
    .await
}

/// Asks for an operation: remark, pin, group changes, revoke, friend requests, mark read,
/// search.
#[utoipa::path(post, path = "/v1/accounts/{id}/operations", tag = "actions",
    params(("id" = String, Path, description = "The account's id"), Wait),
    request_body = Op,
    responses((status = 200, body = Action), (status = 202, body = Action),
        (status = 400, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn operate(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    Query(wait): Query<Wait>,
    ApiJson(op): ApiJson<Op>,
) -> Result<(StatusCode, Json<Action>), ApiError> {
    if matches!(op, Op::Text { .. } | Op::File { .. }) {
        return Err(ApiError::bad_request(
            "send texts with /messages and files with /files",
        ));
    }
    queue(&state, &caller, &id, op, None, &wait).await
}

/// Logs the account out (a `logged_out` event follows).
#[utoipa::path(post, path = "/v1/accounts/{id}/logout", tag = "accounts",
    params(("id" = String, Path, description = "The account's id"), Wait),
    responses((status = 200, body = Action), (status = 202, body = Action),
        (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn logout(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    Query(wait): Query<Wait>,
) -> Result<(StatusCode, Json<Action>), ApiError> {
    queue(&state, &caller, &id, Op::Logout, None, &wait).await
}

/// One action.
#[utoipa::path(get, path = "/v1/accounts/{id}/actions/{action}", tag = "actions",
    params(("id" = String, Path, description = "The account's id"),
        ("action" = String, Path, description = "The action's id")),
    responses((status = 200, body = Action), (status = 404, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn get_one(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path((id, action)): Path<(String, String)>,
) -> Result<Json<Action>, ApiError> {
    visible(&state, &caller, &id).await?;
    let row = state
        .node
        .db
        .action(&id, &action)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such action"))?;
    Ok(Json(Action::from(row)))
}
