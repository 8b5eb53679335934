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
//! An account's states (the API's `state`):
//!
//! ```text
//!   new ──login──▶ login ──scan+confirm──▶ online ◀──▶ offline        (a node holds its lease)
//!                    │                        │           │
//!                    └──expired/refused──▶ logged_out ◀───┘  (phone logout, API logout, 1100-1102)
//!   online/offline, lease run out or given up ──another node claims it (fence+1), resumes──▶ online
//!   login whose node died ──▶ logged_out (a QR login cannot move to another node)
//! ```
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
pub use options::{Options, Secret};
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

/// A running node (see [`start`]).
#[derive(Debug)]
pub struct Server {
    addr: std::net::SocketAddr,
    node: Arc<node::Node>,
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Where the API listens.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// The node's id.
    pub fn node_id(&self) -> &str {
        &self.node.id
    }

    /// How many sessions the node runs.
    pub fn sessions(&self) -> usize {
        self.node.session_count()
    }

    /// Stops gracefully: the sessions stop (not logged out) and their leases are given up, so
    /// other nodes take them over at once.
    pub async fn shutdown(self) -> std::io::Result<()> {
        let _ = self.stop.send(true);
        match self.task.await {
            Ok(result) => result,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }

    /// Stops as a crash would: the sessions and the API stop, nothing is written, the leases
    /// stay until they run out (for tests of takeovers within one process).
    pub fn kill(self) {
        let _ = self.node.shutdown.send(true);
        let ids: Vec<String> = self.node.running().keys().cloned().collect();
        for id in ids {
            self.node.stop(&id);
        }
        self.task.abort();
    }
}

/// Starts a node: opens (and migrates) the database, makes sure an admin token exists, starts
/// taking its share of the accounts and serves the API on `options.listen`.
pub async fn start(options: Options) -> Result<Server, ServeError> {
    if options.webhook_url.is_some() && options.webhook_secret.is_none() {
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
    if !options.listen.ip().is_loopback() {
        tracing::warn!(listen = %options.listen, "the API listens beyond loopback: put TLS and a firewall in front of it");
    }
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    let addr = listener.local_addr()?;
    let url = options
        .advertise_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let node = Arc::new(node::Node::new(
        id,
        url,
        db,
        options,
        metrics::Metrics::default(),
    ));
    node.spawn_loops();
    let app = api::router(Arc::new(api::AppState {
        node: Arc::clone(&node),
    }));
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let stopping = Arc::clone(&node);
    let task = tokio::spawn(async move {
        // Events go out as they come: no Nagle delay on small SSE frames.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|s| *s).await;
                tracing::info!("stopping: giving the leases up");
                stopping.stop_all().await;
            })
            .await
    });
    Ok(Server {
        addr,
        node,
        stop,
        task,
    })
}

/// Runs a node until SIGINT or SIGTERM ([`start`], then [`Server::shutdown`] on the signal).
/// Prints `listening on http://ADDR` on standard output once the API is up.
pub async fn run(options: Options) -> Result<(), ServeError> {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .try_init();
    let server = start(options).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{}", server.addr())?;
        out.flush()?;
    }
    signal().await;
    server.shutdown().await?;
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
    if let Some(secret) = &options.admin_token {
        return api::ensure_admin(db, secret.expose()).await.map_err(dberr);
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
