//! The lease loop: renew this node's leases, stop the sessions whose lease another node took,
//! end logins whose node died, take over accounts whose holder died, and wake sessions that have
//! actions queued on other nodes.

use super::{Node, worker};
use crate::clock::{now_ms, random_u64};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use webwx_core::{ContactStore, SavedSession};
use webwx_hyper::Session;

/// The most accounts one round takes over (the rest wait for the next round, so several
/// surviving nodes share a dead node's accounts).
const TAKEOVER_BATCH: i64 = 200;

/// The most batches one look for accounts to take over goes through.
const MAX_BATCHES: usize = 100;

/// How often queued actions are looked for.
const ACTION_POLL: Duration = Duration::from_millis(250);

/// How often accounts to take over are looked for (a lease given up is taken over within
/// this; one that ran out, within this after it ran out).
const TAKEOVER_POLL: Duration = Duration::from_secs(1);

/// Runs until the node shuts down.
pub(crate) async fn run(node: Arc<Node>) {
    let period = node.options.lease() / 3;
    let mut shutdown = node.shutdown.subscribe();
    let mut actions = tokio::time::interval(ACTION_POLL);
    let mut takeovers = tokio::time::interval(TAKEOVER_POLL);
    takeovers.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut next_round = tokio::time::Instant::now();
    let mut first = true;
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(next_round) => {
                if let Err(e) = round(&node).await {
                    tracing::warn!(error = %e, "lease round failed; trying again");
                }
                // Jitter, so that nodes started together do not race every round.
                let jitter = random_u64().unwrap_or(0) % (period.as_millis().max(1) as u64 / 5 + 1);
                next_round = tokio::time::Instant::now() + period + Duration::from_millis(jitter);
            }
            _ = takeovers.tick() => {
                match take_over(&node, first).await {
                    Ok(()) => first = false,
                    Err(e) => tracing::warn!(error = %e, "looking for accounts to take over failed"),
                }
            }
            _ = actions.tick() => wake_for_actions(&node).await,
            _ = shutdown.changed() => return,
        }
    }
}

async fn round(node: &Arc<Node>) -> Result<(), crate::db::DbError> {
    let db = &node.db;
    db.node_seen(&node.id, &node.url, now_ms()).await?;
    let held: HashMap<String, i64> = db
        .heartbeat(&node.id, node.lease_until())
        .await?
        .into_iter()
        .collect();
    // Sessions whose lease this node no longer holds stop here. A session started since the
    // heartbeat read the leases (a login, a takeover) is not in `held`: each one missing is
    // looked at again before it is stopped.
    let doubtful: Vec<(String, i64)> = node
        .running()
        .iter()
        .filter(|(id, r)| held.get(*id) != Some(&r.fence))
        .map(|(id, r)| (id.clone(), r.fence))
        .collect();
    for (id, fence) in doubtful {
        let holder = db.holder(&id).await?;
        let mine = holder
            .as_ref()
            .is_some_and(|(owner, f)| owner.as_deref() == Some(node.id.as_str()) && *f == fence);
        if !mine && node.running().get(&id).is_some_and(|r| r.fence == fence) {
            tracing::info!(account = %id, "lease lost; stopping the session here");
            node.stop(&id);
        }
    }
    // Accounts this node holds that no task of its own runs (the task ended, or was stopped by
    // mistake): a login ends (nobody can finish it) instead of staying "login" for good; a
    // session's lease is given up, so that it is taken over.
    let stale: Vec<(String, i64)> = held
        .iter()
        .filter(|(id, _)| !node.running().contains_key(*id) && !node.starting().contains(*id))
        .map(|(id, fence)| (id.clone(), *fence))
        .collect();
    for (id, fence) in stale {
        let ended = crate::db::Progress {
            state: Some(crate::state::AccountState::LoggedOut),
            qr_payload: Some(None),
            last_error: Some("the login stopped before it finished; log in again".into()),
            release: true,
            ..Default::default()
        };
        match db.account(&id).await?.map(|a| a.state) {
            Some(crate::state::AccountState::Login) => {
                db.progress(&id, fence, &ended, &[], now_ms()).await?;
            }
            // A session whose task stopped without giving its lease up: give it up, so that
            // it is taken over (by this node or another).
            Some(crate::state::AccountState::Online | crate::state::AccountState::Offline) => {
                db.release(&id, fence).await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Ends logins whose node died, and takes over the accounts whose lease ran out or was given
/// up; with `mine` (the first time after a start), also the ones this node held under its name
/// before it was started again.
async fn take_over(node: &Arc<Node>, mine: bool) -> Result<(), crate::db::DbError> {
    let db = &node.db;
    db.end_lost_logins(now_ms()).await?;
    // About once a minute over all nodes (each round of each node has its chance).
    if random_u64().unwrap_or(0).is_multiple_of(12) {
        let retention = i64::try_from(node.options.retention_hours)
            .unwrap_or(i64::MAX / 3_600_000)
            .saturating_mul(3_600_000);
        let forgotten = db.forget_before(now_ms().saturating_sub(retention)).await?;
        if forgotten > 0 {
            tracing::info!(rows = forgotten, "forgot old events and actions");
        }
    }
    // A full batch is followed by the next at once (a dead node's thousands of accounts come
    // back at the pace of the resumes, not of the polls); bounded, the next poll goes on.
    for _ in 0..MAX_BATCHES {
        let (found, fresh) = take_over_batch(node, mine).await?;
        if found < TAKEOVER_BATCH as usize || fresh == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// One batch of [`take_over`]: how many accounts the query found, and how many of them this
/// node did not run already.
async fn take_over_batch(
    node: &Arc<Node>,
    mine: bool,
) -> Result<(usize, usize), crate::db::DbError> {
    let db = &node.db;
    let orphans = db.orphans(&node.id, mine, now_ms(), TAKEOVER_BATCH).await?;
    let found = orphans.len();
    let mut fresh = 0;
    for id in orphans {
        if node.running().contains_key(&id) {
            continue;
        }
        fresh += 1;
        let Some(claim) = db
            .claim_orphan(&id, &node.id, node.lease_until(), now_ms())
            .await?
        else {
            continue;
        };
        node.metrics.takeovers.inc();
        match resume(node, claim.session.as_deref(), claim.contacts.as_deref()) {
            Ok(session) => {
                tracing::info!(account = %id, "took the account over");
                worker::spawn(node, id, claim.fence, session);
            }
            Err(why) => {
                tracing::warn!(account = %id, %why, "cannot resume the account");
                let progress = crate::db::Progress {
                    state: Some(crate::state::AccountState::LoggedOut),
                    last_error: Some(format!("cannot resume: {why}")),
                    release: true,
                    ..Default::default()
                };
                db.progress(&id, claim.fence, &progress, &[], now_ms())
                    .await?;
            }
        }
    }
    Ok((found, fresh))
}

/// A session resumed from what the database holds.
pub(crate) fn resume(
    node: &Node,
    session: Option<&str>,
    contacts: Option<&str>,
) -> Result<Session, String> {
    let session = session.ok_or("no saved session")?;
    let saved: SavedSession =
        serde_json::from_str(session).map_err(|e| format!("unreadable saved session: {e}"))?;
    let saved = match contacts {
        Some(contacts) => {
            let store: ContactStore =
                serde_json::from_str(contacts).map_err(|e| format!("unreadable contacts: {e}"))?;
            saved.with_contacts(store)
        }
        None => saved,
    };
    let seed = random_u64().map_err(|e| e.to_string())?;
    Session::resume(node.config(seed), saved, node.transport.clone()).map_err(|e| e.to_string())
}

async fn wake_for_actions(node: &Node) {
    if node.session_count() == 0 {
        return;
    }
    match node.db.accounts_with_pending_actions().await {
        Ok(accounts) => {
            for id in accounts {
                node.wake(&id);
            }
        }
        Err(e) => tracing::debug!(error = %e, "cannot look for actions"),
    }
}
