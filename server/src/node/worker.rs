//! The task that drives one account's session on this node.
//!
//! Each batch of events (every event the session has ready) is written with the session's
//! saved state in one transaction, under the lease's fence: the cursor never moves past an
//! event that is not stored, and a node that lost the lease writes nothing. The session saves
//! only what the task has taken ([`webwx_hyper::SessionHandle::save`]), so a crash between
//! two batches makes the next holder fetch the last batch again, and its messages keep their
//! event ids (the outbox is keyed by message id).

use super::actions::{ActionStart, start_action};
use super::events::{ActionEnd, Batch};
use super::{Node, Running};
use crate::clock::now_ms;
use futures_util::FutureExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use webwx_core::SendHandle;
use webwx_hyper::Session;

/// The most events written in one transaction.
const MAX_BATCH: usize = 512;

/// Registers `session` as running under `fence` and drives it in a new task.
pub(crate) fn spawn(node: &Arc<Node>, account: String, fence: i64, session: Session) {
    let wake = Arc::new(Notify::new());
    let (stop, stopped) = watch::channel(false);
    let (qr_tx, qr) = watch::channel(None);
    let old = node.running().insert(
        account.clone(),
        Running {
            fence,
            wake: Arc::clone(&wake),
            stop,
            qr,
            handle: session.handle(),
        },
    );
    if let Some(old) = old {
        let _ = old.stop.send(true);
        old.wake.notify_one();
    }
    let node = Arc::clone(node);
    tokio::spawn(async move {
        let mut task = Worker {
            node,
            account,
            fence,
            session,
            wake,
            stopped,
            qr: qr_tx,
            actions: HashMap::new(),
            contacts_revision: None,
            logged_in: false,
        };
        task.run().await;
        task.node.metrics.sessions_ended.inc();
    });
}

struct Worker {
    node: Arc<Node>,
    account: String,
    fence: i64,
    session: Session,
    wake: Arc<Notify>,
    stopped: watch::Receiver<bool>,
    qr: watch::Sender<Option<String>>,
    /// The action of each send or operation in flight.
    actions: HashMap<SendHandle, String>,
    /// The contacts revision last written.
    contacts_revision: Option<u64>,
    /// The session is past its login: actions can be made.
    logged_in: bool,
}

impl Worker {
    async fn run(&mut self) {
        // After a takeover, the actions the last holder started may not have been made.
        let mut first = true;
        loop {
            if *self.stopped.borrow() {
                return;
            }
            tokio::select! {
                event = self.session.next_event() => {
                    let Some(event) = event else {
                        // Ended without a last event (the driver stopped): give the lease up.
                        self.finish_silently().await;
                        return;
                    };
                    if !self.batch(event).await {
                        return;
                    }
                    if self.logged_in && first {
                        self.pick_up_actions(true).await;
                        first = false;
                    }
                }
                () = self.wake.notified() => {
                    if self.logged_in {
                        self.pick_up_actions(first).await;
                        first = false;
                    }
                }
                _ = self.stopped.changed() => return,
            }
        }
    }

    /// Takes `first` and every further event that is ready, and writes them. `false`: the task
    /// is over (the session ended, the lease is lost, or the node stops).
    ///
    /// A write that fails (the database is unreachable) is tried again, with backoff, for as
    /// long as the lease may still be this node's: meanwhile no more events are taken, so the
    /// session's queue fills and its message loop pauses; nothing is lost and the cursor does not
    /// move.
    async fn batch(&mut self, first: webwx_core::Event) -> bool {
        let deliver = self.node.options.webhook_url.is_some();
        let mut batch = Batch::default();
        let actions = &self.actions;
        let action_of = |h: SendHandle| actions.get(&h).cloned();
        batch.add(first, action_of, deliver);
        while batch.events.len() < MAX_BATCH && !batch.ended {
            match self.session.next_event().now_or_never() {
                Some(Some(event)) => batch.add(event, |h| actions.get(&h).cloned(), deliver),
                _ => break,
            }
        }
        let handle = self.session.handle();
        // Saved after taking the events: it covers exactly what is written below.
        if let Ok(Some(saved)) = handle.save().await {
            batch.progress.session = Some(serde_json::to_string(&saved).ok());
        }
        if let Ok(revision) = handle.contacts_revision().await
            && self.contacts_revision != Some(revision)
            && !batch.ended
            && let Ok(Ok(json)) = handle.with_contacts(serde_json::to_string).await
        {
            batch.progress.contacts = Some(json);
            self.contacts_revision = Some(revision);
        }
        if batch.progress.uin.is_some() {
            self.logged_in = true;
        }
        // A new QR code to show (the one the batch stores for the account).
        if let Some(Some(qr)) = &batch.progress.qr_payload {
            let _ = self.qr.send(Some(qr.clone()));
        }
        let now = now_ms();
        let ended = batch.ended;
        let wrote = !batch.events.is_empty();
        let mut delay = Duration::from_millis(100);
        let ok = loop {
            match self
                .node
                .db
                .progress(
                    &self.account,
                    self.fence,
                    &batch.progress,
                    &batch.events,
                    now,
                )
                .await
            {
                Ok(ok) => break ok,
                Err(e) => {
                    tracing::warn!(account = %self.account, error = %e, "cannot write a batch; trying again");
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        _ = self.stopped.changed() => return false,
                    }
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        };
        if !ok {
            tracing::info!(account = %self.account, "lease lost: another node holds the account");
            self.node.stop(&self.account);
            return false;
        }
        let m = &self.node.metrics;
        m.messages_received.inc_by(batch.received);
        m.messages_sent.inc_by(batch.sent);
        m.retries.inc_by(batch.retries);
        if wrote {
            self.node.new_events.notify_waiters();
        }
        for (handle, end) in batch.ends {
            let Some(action) = self.actions.remove(&handle) else {
                continue;
            };
            let (status, result, error) = match end {
                ActionEnd::Done(v) => ("done", Some(v.to_string()), None),
                ActionEnd::Failed(e) => ("failed", None, Some(e)),
            };
            if let Err(e) = self
                .node
                .db
                .set_action(&action, status, result.as_deref(), error.as_deref(), now)
                .await
            {
                tracing::warn!(account = %self.account, error = %e, "cannot record an action's outcome");
            }
        }
        if ended {
            if let Err(e) = self
                .node
                .db
                .fail_open_actions(&self.account, "the session ended", now)
                .await
            {
                tracing::warn!(account = %self.account, error = %e, "cannot fail the open actions");
            }
            self.forget();
            return false;
        }
        true
    }

    /// Makes the account's queued actions.
    async fn pick_up_actions(&mut self, with_running: bool) {
        let open = match self.node.db.open_actions(&self.account, with_running).await {
            Ok(open) => open,
            Err(e) => {
                tracing::warn!(account = %self.account, error = %e, "cannot read actions");
                return;
            }
        };
        let handle = self.session.handle();
        for action in open {
            if self.actions.values().any(|a| *a == action.id) {
                continue;
            }
            let now = now_ms();
            // Recorded as running before it is made: a holder after a crash makes it again
            // (a send with the same LocalID).
            if let Err(e) = self
                .node
                .db
                .set_action(&action.id, "running", None, None, now)
                .await
            {
                tracing::warn!(account = %self.account, error = %e, "cannot mark an action");
                return;
            }
            let outcome = start_action(&self.node.db, &handle, &action).await;
            let db = &self.node.db;
            let written = match outcome {
                ActionStart::Queued(h) => {
                    self.actions.insert(h, action.id.clone());
                    Ok(())
                }
                ActionStart::Done(result) => {
                    db.set_action(&action.id, "done", Some(&result.to_string()), None, now)
                        .await
                }
                ActionStart::Failed(error) => {
                    db.set_action(&action.id, "failed", None, Some(&error), now)
                        .await
                }
            };
            if let Err(e) = written {
                tracing::warn!(account = %self.account, error = %e, "cannot record an action");
            }
        }
    }

    /// The session stopped without saying why: keep its saved state for a takeover, give the
    /// lease up.
    async fn finish_silently(&mut self) {
        let _ = self.node.db.release(&self.account, self.fence).await;
        self.forget();
    }

    /// Removes this task from the node's sessions (unless a newer one took its place).
    fn forget(&self) {
        let mut running = self.node.running();
        if running
            .get(&self.account)
            .is_some_and(|r| r.fence == self.fence)
        {
            running.remove(&self.account);
        }
    }
}
