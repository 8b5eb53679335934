//! Health and metrics.

use super::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use std::sync::Arc;

/// The node's health.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Health {
    /// `ok`, or `database unavailable`.
    status: String,
    /// The node's id.
    node: String,
    /// Sessions this node runs.
    sessions: usize,
}

/// Whether the node and its database are up (no token needed).
#[utoipa::path(get, path = "/v1/health", tag = "service",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub(crate) async fn health(State(state): State<Arc<AppState>>) -> (StatusCode, Json<Health>) {
    let node = &state.node;
    let (status, text) = match node.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    };
    (
        status,
        Json(Health {
            status: text.to_string(),
            node: node.id.clone(),
            sessions: node.session_count(),
        }),
    )
}

/// Prometheus metrics (OpenMetrics text; no token needed, nothing secret in it).
#[utoipa::path(get, path = "/metrics", tag = "service",
    responses((status = 200, content_type = "application/openmetrics-text", description = "The metrics")))]
pub(crate) async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let text = state.node.metrics.render(&state.node).await;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
}
