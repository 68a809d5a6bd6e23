//! Storage: one `sqlx::AnyPool` over SQLite or PostgreSQL, with one migration set.
//!
//! Queries and migrations are written once in the SQL both engines accept (`$1` placeholders,
//! TEXT and BIGINT columns, timestamps as epoch milliseconds, ids made by `crate::ids`); see
//! ARCHITECTURE.md.

use std::time::Duration;

use sqlx::{any::AnyPoolOptions, migrate::Migrator, AnyPool, Executor};

use super::db_url::{DatabaseUrl, DbKind};

static MIGRATIONS: Migrator = sqlx::migrate!("../migrations");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL {url}: cannot connect: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("DATABASE_URL {url}: cannot create directory {dir}: {source}")]
    CreateDir { url: String, dir: String, source: std::io::Error },
    #[error("DATABASE_URL {url}: migrations failed: {source}")]
    Migrate { url: String, source: sqlx::migrate::MigrateError },
    #[error("DATABASE_URL {url}: cannot carry the database over to this release: {source}")]
    CarryForward { url: String, source: crate::services::legacy_ids::LegacyError },
}

/// The database handle the rest of the server shares. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    kind: DbKind,
}

impl Db {
    /// Connects (creating a SQLite file and its directory if needed) and runs migrations.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let shown = url.to_string();
        let mut driver_url = url.expose().to_string();
        if url.kind() == DbKind::Sqlite {
            if let Some(path) = url.sqlite_path() {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
                        url: shown.clone(),
                        dir: dir.display().to_string(),
                        source,
                    })?;
                }
            }
            if !driver_url.contains("mode=") {
                driver_url.push(if driver_url.contains('?') { '&' } else { '?' });
                driver_url.push_str("mode=rwc");
            }
        }
        let kind = url.kind();
        let pool = AnyPoolOptions::new()
            .max_connections(if kind == DbKind::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if kind == DbKind::Sqlite {
                        // WAL lets readers proceed during a write; busy_timeout turns lock
                        // contention into a short wait instead of an immediate error.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect(&driver_url)
            .await
            .map_err(|source| DbError::Connect { url: shown.clone(), source })?;
        let db = Self { pool, kind };
        crate::services::legacy_ids::carry_forward(&db.pool, db.migrator())
            .await
            .map_err(|source| DbError::CarryForward { url: shown.clone(), source })?;
        db.migrator().run(&db.pool).await.map_err(|source| DbError::Migrate { url: shown, source })?;
        Ok(db)
    }

    pub fn migrator(&self) -> &'static Migrator {
        &MIGRATIONS
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// A round trip to the database, for readiness checks.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
