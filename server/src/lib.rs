//! # webwx-server
//!
//! `webwx serve`: many Web WeChat accounts behind one HTTP API, on one machine (an embedded
//! SQLite file, the default) or many (`--database postgres://…`), on the `webwx-hyper`
//! transport like any other embedder.
//!
//! ```text
//!  API clients ──HTTP──▶ any node ──▶ database ◀── the node holding the account
//!   (bearer tokens)      (axum)       accounts + leases      runs its session (webwx-hyper)
//!                                     events (outbox)  ────▶ SSE streams (any node)
//!                                     actions (queue)  ────▶ webhook (any node, signed)
//! ```
//!
//! - **Leases.** Each account is held by one node (`owner`, `lease_until`, `fence`), renewed by
//!   a heartbeat every third of the lease. A node that dies stops renewing; after the lease runs
//!   out another node claims the account (raising its fence) and resumes the stored session, with
//!   no QR scan. Every write a holder makes names its fence, so a node that lost its lease
//!   (paused, cut off) writes nothing.
//! - **Events.** Each batch of a session's events goes into the `events` table in the same
//!   transaction that stores the session's new cursor (its saved state), so a crash at any point
//!   neither loses an event nor repeats one under a new id: a message fetched again after a
//!   takeover finds its event (keyed by message id) already stored.
//! - **Actions.** Sends and operations go into the `actions` table (a send with its LocalID)
//!   before any node makes them; the holder makes them, and a holder after a crash makes an
//!   unfinished send again with the same LocalID, which the server takes as the same message.
//! - **Webhooks** are at least once (same event id on a repeat), **SSE** streams resume from
//!   `Last-Event-ID`.
//!
//! The API is in the README and in [`openapi_json`] (served at `/openapi.json`).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod clock;
mod db;
mod metrics;
mod node;
mod op;
mod options;
mod qr;
mod state;
mod webhook;

pub use api::openapi::openapi_json;
pub use options::Options;
pub use qr::qr_png;
pub use state::AccountState;
pub use webhook::signature as webhook_signature;

use std::io::Write;
use std::sync::Arc;

/// Why the service could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Database(String),
    /// The options do not fit together.
    #[error("{0}")]
    Options(String),
    /// The listening socket, or writing the token file.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Runs a node until SIGINT or SIGTERM: opens (and migrates) the database, makes sure an admin
/// token exists, takes its share of the accounts, serves the API. Prints `listening on
/// http://ADDR` on standard output once the API is up. On a signal it stops its sessions and
/// gives their leases up, so other nodes take them over at once.
pub async fn run(options: Options) -> Result<(), ServeError> {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .try_init();
    if options.webhook_url.is_some()
        && std::env::var("WEBWX_WEBHOOK_SECRET").map_or(true, |s| s.is_empty())
    {
        return Err(ServeError::Options(
            "--webhook-url needs the signing key in WEBWX_WEBHOOK_SECRET".into(),
        ));
    }
    let db = db::Db::open(&options.database)
        .await
        .map_err(|e| ServeError::Database(e.to_string()))?;
    admin_token(&db, &options).await?;
    let id = match &options.node_id {
        Some(id) => id.clone(),
        None => format!(
            "node-{}",
            clock::random_hex(4).map_err(|e| ServeError::Options(e.to_string()))?
        ),
    };
    tracing::info!(node = %id, backend = ?db.backend(), "starting");
    let node = Arc::new(node::Node::new(
        id,
        db,
        options.clone(),
        metrics::Metrics::default(),
    ));
    node.spawn_loops();
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    let addr = listener.local_addr()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{addr}")?;
        out.flush()?;
    }
    let app = api::router(Arc::new(api::AppState {
        node: Arc::clone(&node),
    }));
    let stopping = Arc::clone(&node);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            signal().await;
            tracing::info!("stopping: giving the leases up");
            stopping.stop_all().await;
        })
        .await?;
    Ok(())
}

/// SIGINT or SIGTERM.
async fn signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}

/// Makes sure someone can use the API: `WEBWX_ADMIN_TOKEN` is an admin token; else, when the
/// database has no token at all, a new admin token is written to `--token-file` (mode 0600).
async fn admin_token(db: &db::Db, options: &Options) -> Result<(), ServeError> {
    let dberr = |e: db::DbError| ServeError::Database(e.to_string());
    if let Ok(secret) = std::env::var("WEBWX_ADMIN_TOKEN")
        && !secret.is_empty()
    {
        return api::ensure_admin(db, &secret).await.map_err(dberr);
    }
    if db.token_count().await.map_err(dberr)? > 0 {
        return Ok(());
    }
    let secret = api::new_secret().map_err(|e| ServeError::Options(e.to_string()))?;
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let mut file = open.open(&options.token_file)?;
    writeln!(file, "{secret}")?;
    file.sync_all()?;
    api::ensure_admin(db, &secret).await.map_err(dberr)?;
    tracing::info!(file = %options.token_file.display(), "wrote a new admin token");
    Ok(())
}
