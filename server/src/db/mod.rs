//! The service's state, in SQLite (one machine) or PostgreSQL (many), through one API: sqlx's
//! `Any` driver with the same SQL for both (numbered `$N` parameters, `RETURNING`,
//! `ON CONFLICT`), and one migration directory per backend, shipped in the binary.

mod accounts;
mod actions;
mod events;
mod nodes;
mod tokens;
mod writer;

pub(crate) use accounts::{AccountRow, Progress};
pub(crate) use actions::{ActionRow, NewAction};
pub(crate) use events::{EventRow, NewEvent};

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::time::Duration;

/// Which database the service runs on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Backend {
    /// An embedded SQLite file: one node.
    Sqlite,
    /// A shared PostgreSQL: many nodes.
    Postgres,
}

/// A handle on the database (a connection pool; cheap to clone).
#[derive(Clone)]
pub(crate) struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer: writes wait here, in order, rather than in SQLite's busy handler
    /// (which sleeps and retries, and made throughput fall under load).
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Where sessions' batches go to be committed together (SQLite).
    batches: Option<tokio::sync::mpsc::Sender<writer::Job>>,
}

impl std::fmt::Debug for Db {
    // Not the pool's: its connect options would show the URL.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// Errors of the database.
pub(crate) type DbError = sqlx::Error;

impl Db {
    /// Opens the database at `url` (`sqlite://path`, created when missing, or `postgres://…`)
    /// and brings its schema up to date.
    pub(crate) async fn open(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            (Backend::Postgres, url.to_string())
        } else if url.starts_with("sqlite:") {
            let url = if url.contains('?') {
                url.to_string()
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else {
            return Err(sqlx::Error::Configuration(
                "the database URL starts with sqlite: or postgres:".into(),
            ));
        };
        let sqlite = backend == Backend::Sqlite;
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 16 })
            .acquire_timeout(Duration::from_secs(15))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        // Readers beside the one writer, and a writer waits for the lock
                        // instead of failing at once.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA busy_timeout = 15000; PRAGMA foreign_keys = ON;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        let mut db = Db {
            pool,
            backend,
            writer: std::sync::Arc::default(),
            batches: None,
        };
        if backend == Backend::Sqlite {
            db.batches = Some(writer::spawn(db.clone()));
        }
        Ok(db)
    }

    /// Waits for this process's turn to write (SQLite only; PostgreSQL takes concurrent
    /// writers).
    pub(crate) async fn write_lock(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.writer.lock().await),
            Backend::Postgres => None,
        }
    }

    /// Which database this is.
    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Whether the database answers.
    pub(crate) async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::{Db, NewEvent, Progress};
    use crate::state::AccountState;

    async fn fresh() -> (Db, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "webwx-db-test-{}-{}",
            std::process::id(),
            crate::clock::random_hex(4).unwrap()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::open(&format!("sqlite://{}", dir.join("t.db").display()))
            .await
            .unwrap();
        (db, dir)
    }

    fn message(id: &str) -> NewEvent {
        NewEvent {
            kind: "message",
            dedup: Some(format!("msg:{id}")),
            data: format!(r#"{{"id":"{id}"}}"#),
            deliver: false,
        }
    }

    #[tokio::test]
    async fn fences_dedup_and_retention() {
        let (db, dir) = fresh().await;
        assert!(db.insert_account("a", 1).await.unwrap());
        assert!(!db.insert_account("a", 1).await.unwrap(), "the id is taken");
        let first = db
            .claim_for_login("a", "n1", 10_000, 5)
            .await
            .unwrap()
            .unwrap();
        // Another node cannot claim it while the lease runs.
        assert!(
            db.claim_for_login("a", "n2", 10_000, 6)
                .await
                .unwrap()
                .is_none()
        );
        let online = Progress {
            state: Some(AccountState::Online),
            session: Some(Some("{}".into())),
            ..Progress::default()
        };
        assert!(
            db.progress("a", first.fence, &online, &[message("1"), message("2")], 7)
                .await
                .unwrap()
        );
        // The same message again (a batch fetched again after a takeover): no second event.
        assert!(
            db.progress("a", first.fence, &online, &[message("2"), message("3")], 8)
                .await
                .unwrap()
        );
        let events = db.events_after(0, None, 100).await.unwrap();
        let ids: Vec<&str> = events.iter().map(|e| e.data.as_str()).collect();
        assert_eq!(ids, [r#"{"id":"1"}"#, r#"{"id":"2"}"#, r#"{"id":"3"}"#]);
        // After the lease ran out, n2 takes the account over; n1's writes are refused.
        assert!(db.orphans("n2", false, 20_000, 10).await.unwrap() == ["a"]);
        let second = db
            .claim_orphan("a", "n2", 30_000, 20_000)
            .await
            .unwrap()
            .unwrap();
        assert!(second.fence > first.fence);
        assert_eq!(second.session.as_deref(), Some("{}"));
        assert!(
            !db.progress("a", first.fence, &online, &[message("4")], 21_000)
                .await
                .unwrap()
        );
        assert_eq!(
            db.events_after(0, None, 100).await.unwrap().len(),
            3,
            "nothing of n1's"
        );
        let held = db.heartbeat("n2", 40_000).await.unwrap();
        assert_eq!(held, [("a".to_string(), second.fence)]);
        assert!(db.heartbeat("n1", 40_000).await.unwrap().is_empty());
        // Delivered events older than the retention go; undelivered ones stay.
        let pending = NewEvent {
            deliver: true,
            ..message("5")
        };
        assert!(
            db.progress("a", second.fence, &online, &[pending], 22_000)
                .await
                .unwrap()
        );
        // Webhook claims: one node's claim holds the event; a node started again under the
        // same name takes its claims back.
        let claimed = db
            .claim_deliveries("n2:1:ab", 60_000, 23_000, 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        assert!(
            db.claim_deliveries("n3:1:cd", 60_000, 23_000, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(db.drop_claims_of("n3:").await.unwrap(), 0);
        assert_eq!(db.drop_claims_of("n2:").await.unwrap(), 1);
        assert_eq!(
            db.claim_deliveries("n3:1:cd", 60_000, 23_000, 10)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(db.forget_before(25_000).await.unwrap(), 3);
        let left = db.events_after(0, None, 100).await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(db.webhook_backlog().await.unwrap(), 1);
        let _ = std::fs::remove_dir_all(dir);
    }
}
