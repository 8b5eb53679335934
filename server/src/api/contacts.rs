//! Contacts and groups, from the account's saved contacts (any node can answer; the node
//! holding the account keeps them current).

use super::AppState;
use super::accounts::visible;
use super::auth::Caller;
use super::error::ApiError;
use crate::node::contact_json;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use webwx_core::message::decode_text;
use webwx_core::{Contact, ContactStore};

/// Which contacts.
#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct Filter {
    /// `friend`, `group`, `official` or `special` (default: all).
    kind: Option<String>,
    /// Only those whose nick name, remark or alias contains this.
    q: Option<String>,
    /// At most this many (default 1,000; at most 10,000).
    limit: Option<usize>,
    /// Skip this many first.
    offset: Option<usize>,
}

/// A page of contacts.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ContactList {
    /// How many match in all.
    total: usize,
    /// This page: `{user_name, nick_name, remark_name, display_name, kind, is_group,
    /// member_count, muted, pinned}` each.
    #[schema(value_type = Vec<Object>)]
    contacts: Vec<Value>,
}

async fn store(state: &AppState, caller: &Caller, id: &str) -> Result<ContactStore, ApiError> {
    visible(state, caller, id).await?;
    let Some(json) = state.node.db.contacts(id).await? else {
        return Ok(ContactStore::default());
    };
    serde_json::from_str(&json).map_err(ApiError::internal)
}

/// The account's contacts (friends, groups, official accounts).
#[utoipa::path(get, path = "/v1/accounts/{id}/contacts", tag = "contacts",
    params(("id" = String, Path, description = "The account's id"), Filter),
    responses((status = 200, body = ContactList), (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    Query(filter): Query<Filter>,
) -> Result<Json<ContactList>, ApiError> {
    let kind = match filter.kind.as_deref() {
        None | Some("") => None,
        Some("friend") => Some(webwx_core::ContactKind::Friend),
        Some("group") => Some(webwx_core::ContactKind::Group),
        Some("official") => Some(webwx_core::ContactKind::Official),
        Some("special") => Some(webwx_core::ContactKind::Special),
        Some(_) => {
            return Err(ApiError::bad_request(
                "`kind` is friend, group, official or special",
            ));
        }
    };
    let store = store(&state, &caller, &id).await?;
    let matches: Vec<&Contact> = match filter.q.as_deref().filter(|q| !q.is_empty()) {
        Some(q) => store.search(q).collect(),
        None => store.iter().collect(),
    };
    let matches: Vec<&Contact> = matches
        .into_iter()
        .filter(|c| kind.is_none_or(|k| c.kind() == k))
        .collect();
    let limit = filter.limit.unwrap_or(1000).min(10_000);
    let contacts = matches
        .iter()
        .skip(filter.offset.unwrap_or(0))
        .take(limit)
        .map(|c| contact_json(c))
        .collect();
    Ok(Json(ContactList {
        total: matches.len(),
        contacts,
    }))
}

/// One contact; a group with its members.
#[utoipa::path(get, path = "/v1/accounts/{id}/contacts/{user_name}", tag = "contacts",
    params(("id" = String, Path, description = "The account's id"),
        ("user_name" = String, Path, description = "The contact's user name")),
    responses((status = 200, description = "The contact (a group with `members`)", body = Object),
        (status = 404, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn get_one(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path((id, user_name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let store = store(&state, &caller, &id).await?;
    let contact = store
        .get(&user_name)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such contact"))?;
    let mut value = contact_json(contact);
    if contact.is_group() {
        let members: Vec<Value> = contact
            .members()
            .iter()
            .map(|m| {
                json!({
                    "user_name": m.user_name,
                    "nick_name": decode_text(&m.nick_name),
                    "display_name": decode_text(&m.display_name),
                })
            })
            .collect();
        if let Some(map) = value.as_object_mut() {
            map.insert("members".into(), Value::from(members));
        }
    }
    Ok(Json(value))
}
