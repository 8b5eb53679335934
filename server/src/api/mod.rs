//! The HTTP API (axum): accounts and logins, contacts, sends and operations, events (SSE),
//! tokens, health, metrics and the OpenAPI document.

mod accounts;
mod actions;
mod auth;
mod contacts;
pub(crate) mod error;
mod events;
mod health;
mod media;
pub(crate) mod openapi;
mod tokens;

pub(crate) use auth::{ensure_admin, new_secret};

use crate::node::Node;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use std::sync::Arc;
use std::time::Instant;

/// The largest JSON body.
const MAX_JSON_BYTES: usize = 1024 * 1024;

/// What every handler sees.
#[derive(Debug)]
pub(crate) struct AppState {
    /// The node.
    pub(crate) node: Arc<Node>,
}

/// The API's routes.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let upload_limit = state
        .node
        .options
        .max_upload_bytes
        .saturating_add(64 * 1024);
    let v1 = Router::new()
        .route("/health", get(health::health))
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route(
            "/accounts/{id}",
            get(accounts::get_one).delete(accounts::delete),
        )
        .route("/accounts/{id}/login", post(accounts::login))
        .route("/accounts/{id}/logout", post(actions::logout))
        .route("/accounts/{id}/qr.png", get(accounts::qr_png))
        .route("/accounts/{id}/contacts", get(contacts::list))
        .route(
            "/accounts/{id}/contacts/{user_name}",
            get(contacts::get_one),
        )
        .route("/accounts/{id}/messages", post(actions::send_text))
        .route(
            "/accounts/{id}/messages/{msg_id}/media",
            get(media::download),
        )
        .route(
            "/accounts/{id}/files",
            post(actions::send_file).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/accounts/{id}/operations", post(actions::operate))
        .route("/accounts/{id}/actions/{action}", get(actions::get_one))
        .route("/accounts/{id}/events", get(events::account_stream))
        .route("/events", get(events::stream))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{token}", axum::routing::delete(tokens::delete));
    Router::new()
        .nest("/v1", v1)
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(openapi::document))
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), measure))
        .with_state(state)
}

/// Counts each request in the latency histogram, by route (the pattern, never the path: it
/// names accounts) and status.
async fn measure(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    state.node.metrics.observe_request(
        method,
        route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
