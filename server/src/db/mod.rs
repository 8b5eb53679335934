//! The service's state, in SQLite (one machine) or PostgreSQL (many), through one API: sqlx's
//! `Any` driver with the same SQL for both (numbered `$N` parameters, `RETURNING`,
//! `ON CONFLICT`), and one migration directory per backend, shipped in the binary.

mod accounts;
mod actions;
mod events;
mod tokens;

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
#[derive(Clone, Debug)]
pub(crate) struct Db {
    pool: AnyPool,
    backend: Backend,
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
        Ok(Db { pool, backend })
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
