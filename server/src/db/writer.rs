//! Group commit for SQLite: the batches of all sessions that are ready are written in one
//! transaction by one task (SQLite has one writer anyway; a transaction per batch made every
//! event cost a commit, and concurrent writers slept in SQLite's busy handler).

use super::accounts::{Progress, write_batch};
use super::{Db, NewEvent};
use tokio::sync::{mpsc, oneshot};

/// The most batches committed together.
const MAX_GROUP: usize = 256;

/// One session's batch, and where its outcome goes.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) account: String,
    pub(crate) fence: i64,
    pub(crate) progress: Progress,
    pub(crate) events: Vec<NewEvent>,
    pub(crate) now: i64,
    /// `Ok(false)`: the fence is not the account's; `Err`: the transaction failed (the
    /// session tries again).
    pub(crate) reply: oneshot::Sender<Result<bool, String>>,
}

/// Starts the writer of `db`; returns where batches go.
pub(crate) fn spawn(db: Db) -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(4 * MAX_GROUP);
    tokio::spawn(async move {
        let mut group = Vec::with_capacity(MAX_GROUP);
        while let Some(first) = rx.recv().await {
            group.push(first);
            while group.len() < MAX_GROUP {
                match rx.try_recv() {
                    Ok(job) => group.push(job),
                    Err(_) => break,
                }
            }
            let outcomes = write(&db, &group).await;
            for (job, outcome) in group.drain(..).zip(outcomes) {
                let _ = job.reply.send(outcome);
            }
        }
    });
    tx
}

/// Writes `group` in one transaction; the outcome of each.
async fn write(db: &Db, group: &[Job]) -> Vec<Result<bool, String>> {
    let _writing = db.write_lock().await;
    let result: Result<Vec<bool>, super::DbError> = async {
        let mut tx = db.pool().begin().await?;
        let mut written = Vec::with_capacity(group.len());
        for job in group {
            written.push(
                write_batch(
                    &mut tx,
                    &job.account,
                    job.fence,
                    &job.progress,
                    &job.events,
                    job.now,
                )
                .await?,
            );
        }
        tx.commit().await?;
        Ok(written)
    }
    .await;
    match result {
        Ok(written) => written.into_iter().map(Ok).collect(),
        Err(e) => {
            let e = e.to_string();
            group.iter().map(|_| Err(e.clone())).collect()
        }
    }
}
