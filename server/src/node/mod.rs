//! One node of the service: the sessions it holds, each driven by its own task, the lease
//! loop that renews them and takes over a dead node's, and the webhook deliverer.

mod actions;
mod events;
mod lease;
pub(crate) mod login;
mod worker;

pub(crate) use events::contact_json;
pub(crate) use login::LoginError;

use crate::clock::now_ms;
use crate::db::Db;
use crate::metrics::Metrics;
use crate::options::Options;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use webwx_core::Config;
use webwx_hyper::Transport;

/// A session this node runs.
#[derive(Debug)]
pub(crate) struct Running {
    /// The fence of the lease it runs under.
    pub(crate) fence: i64,
    /// Wakes its task: new actions, or stop.
    pub(crate) wake: Arc<Notify>,
    /// Set to stop it (lease lost, account deleted, node shutting down).
    pub(crate) stop: watch::Sender<bool>,
    /// The QR code its login shows, if any.
    pub(crate) qr: watch::Receiver<Option<String>>,
    /// Commands to the session (downloads).
    pub(crate) handle: webwx_hyper::SessionHandle,
}

/// A node.
#[derive(Debug)]
pub(crate) struct Node {
    /// Its name in leases.
    pub(crate) id: String,
    /// Where its API answers, for the other nodes.
    pub(crate) url: String,
    /// The shared state.
    pub(crate) db: Db,
    /// How it runs.
    pub(crate) options: Options,
    /// One connection pool for every session.
    transport: Transport,
    /// The sessions it runs, by account id.
    running: Mutex<HashMap<String, Running>>,
    /// Accounts whose login this node is starting (claimed, no session task yet).
    starting: Mutex<std::collections::HashSet<String>>,
    /// Its counters.
    pub(crate) metrics: Metrics,
    /// Rings when this node wrote events (its own SSE streams need not wait for their poll).
    pub(crate) new_events: Notify,
    /// Set when the node shuts down.
    pub(crate) shutdown: watch::Sender<bool>,
}

impl Node {
    /// A node on `db`.
    pub(crate) fn new(id: String, url: String, db: Db, options: Options, metrics: Metrics) -> Node {
        Node {
            id,
            url,
            db,
            options,
            transport: Transport::new(),
            running: Mutex::new(HashMap::new()),
            starting: Mutex::new(std::collections::HashSet::new()),
            metrics,
            new_events: Notify::new(),
            shutdown: watch::channel(false).0,
        }
    }

    /// The sessions this node runs.
    pub(crate) fn running(&self) -> MutexGuard<'_, HashMap<String, Running>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The logins this node is starting.
    pub(crate) fn starting(&self) -> MutexGuard<'_, std::collections::HashSet<String>> {
        self.starting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many sessions this node runs.
    pub(crate) fn session_count(&self) -> usize {
        self.running().len()
    }

    /// The lease period in ms.
    pub(crate) fn lease_ms(&self) -> i64 {
        i64::try_from(self.options.lease().as_millis()).unwrap_or(i64::MAX)
    }

    /// Until when a lease taken or renewed now lasts.
    pub(crate) fn lease_until(&self) -> i64 {
        now_ms().saturating_add(self.lease_ms())
    }

    /// The core's configuration for a new session.
    pub(crate) fn config(&self, seed: u64) -> Config {
        let mut config = Config::new(seed);
        if let Some(origin) = &self.options.login_origin {
            config = config.with_login_origin(origin.clone());
        }
        for host in &self.options.allow_host {
            config = config.with_allowed_host(host.clone());
        }
        if self.options.test_timing {
            config = config.with_min_send_interval(Duration::from_millis(5));
            config.request_timeout = Duration::from_secs(3);
            config.long_poll_timeout = Duration::from_secs(10);
            config.retry.base = Duration::from_millis(50);
            config.retry.cap = Duration::from_millis(400);
        }
        config
    }

    /// The session of `account`, if this node runs it.
    pub(crate) fn handle(&self, account: &str) -> Option<webwx_hyper::SessionHandle> {
        self.running().get(account).map(|r| r.handle.clone())
    }

    /// Wakes the session of `account` if this node runs it (an action was queued for it).
    pub(crate) fn wake(&self, account: &str) {
        if let Some(r) = self.running().get(account) {
            r.wake.notify_one();
        }
    }

    /// Stops the session of `account` if this node runs it (without logging it out).
    pub(crate) fn stop(&self, account: &str) {
        if let Some(r) = self.running().remove(account) {
            let _ = r.stop.send(true);
            r.wake.notify_one();
        }
    }

    /// Stops every session and gives their leases up, so that other nodes take them over at
    /// once (a graceful shutdown).
    pub(crate) async fn stop_all(&self) {
        let _ = self.shutdown.send(true);
        let held: Vec<(String, i64)> = {
            let mut running = self.running();
            running
                .drain()
                .map(|(id, r)| {
                    let _ = r.stop.send(true);
                    r.wake.notify_one();
                    (id, r.fence)
                })
                .collect()
        };
        // Let the tasks see the stop before their leases go.
        tokio::time::sleep(Duration::from_millis(100)).await;
        for (id, fence) in held {
            if let Err(e) = self.db.release(&id, fence).await {
                tracing::warn!(account = %id, error = %e, "could not release a lease");
            }
        }
    }

    /// Starts the background loops: leases and takeovers, webhook deliveries.
    pub(crate) fn spawn_loops(self: &Arc<Self>) {
        tokio::spawn(lease::run(Arc::clone(self)));
        if self.options.webhook_url.is_some() {
            tokio::spawn(crate::webhook::run(Arc::clone(self)));
        }
    }
}
