//! Carries a database made by the per-engine migrations (`migrations/sqlite` and
//! `migrations/postgres` up to release 76b2b59) over to the one migration set in `migrations/`.
//!
//! The old sets differed only in how four tables got their ids (AUTOINCREMENT against identity
//! columns); the new set gives them TEXT ids made by the application (`crate::ids`). sqlx's
//! migrator refuses to start when an applied migration's checksum differs from the embedded
//! file, so an old database cannot simply meet the new files. Chosen: rewrite the ledger once.
//! In one transaction, before the migrator runs, the four tables are rebuilt with TEXT ids
//! (`legacy_ids.sql`) and the ledger rows of 0001–0010 get the new files' checksums, so the
//! database is then exactly what the new 0001–0010 would have made, and later migrations run
//! on old and new databases alike. (The alternative, keeping the old files as a frozen baseline,
//! would keep two sets of 0001–0010 in the tree for ever.) Either everything happens or
//! nothing: a failure leaves the database as the old release left it.

use sqlx::{migrate::Migrator, AnyPool, Executor};

/// SHA-384 of the old per-engine 0002 and 0003 (the files that created the four tables),
/// as sqlx recorded them in `_sqlx_migrations`. Finding one of these is how an old database
/// is recognised.
const LEGACY_CHECKSUMS: [(i64, &str); 4] = [
    // sqlite
    (2, "3bf5e2c1cead1ea599822e3433df7e794038d37884c97ae4e0a3e1c437415a24f91c1ffef551b03c693907bd6a3bee79"),
    (3, "5598720cb4d4ef4dc97b1b55c6c854628bc2a779e6b977fb589f55d928c1326a8a5da1d62a99d45297e2fbfb9c6b386d"),
    // postgres
    (2, "8bdf55aeb99951541acf2928034f69dc54b76a87a1ec81fa7f32faf9239be523a4bcede2d68ab12d8b13bf50415daa0e"),
    (3, "5ccc3f26aec1b6c5343e37b9bcebffdb652a4068da38ec6cd0ad55b2fa723d9c979f163fa09b0237bbd5511653ca9945"),
];

/// Every migration of the old sets; an old database must have all of them.
const LEGACY_VERSIONS: [i64; 8] = [1, 2, 3, 4, 6, 7, 9, 10];

const UPGRADE_SQL: &str = include_str!("legacy_ids.sql");

#[derive(Debug, thiserror::Error)]
pub enum LegacyError {
    #[error(
        "this database was made by an older release (migrations {0:?} applied); start release \
         76b2b59 on it once, then this one"
    )]
    Incomplete(Vec<i64>),
    #[error("{0} has ids too large to carry over (over 12 digits)")]
    TooLarge(&'static str),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Converts an old database if `pool` holds one; returns whether it did. A new or already
/// converted database is left alone. Safe with several replicas starting at once: the first
/// statement of the transaction claims the ledger row, and a replica that finds it already
/// rewritten does nothing.
pub async fn carry_forward(pool: &AnyPool, migrator: &Migrator) -> Result<bool, LegacyError> {
    let ledger: Vec<(i64, Vec<u8>)> =
        match sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
            .fetch_all(pool)
            .await
        {
            Ok(rows) => rows,
            // No ledger yet: a new database.
            Err(sqlx::Error::Database(_)) => return Ok(false),
            Err(e) => return Err(e.into()),
        };
    let Some((claim_version, claim_checksum)) = ledger
        .iter()
        .find(|(v, c)| LEGACY_CHECKSUMS.iter().any(|(lv, lc)| lv == v && *lc == hex(c)))
        .cloned()
    else {
        return Ok(false);
    };
    let versions: Vec<i64> = ledger.iter().map(|(v, _)| *v).collect();
    if versions != LEGACY_VERSIONS {
        return Err(LegacyError::Incomplete(versions));
    }
    let new_checksum = |v: i64| migrator.iter().find(|m| m.version == v).map(|m| m.checksum.to_vec());

    let mut tx = pool.begin().await?;
    let claimed =
        sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = $2 AND checksum = $3")
            .bind(new_checksum(claim_version).unwrap_or_default())
            .bind(claim_version)
            .bind(claim_checksum)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if claimed == 0 {
        // Another replica converted it between our read and our claim.
        tx.rollback().await?;
        return Ok(false);
    }
    for table in ["audit_log", "request_events", "rollouts", "notifications"] {
        let max: Option<i64> =
            sqlx::query_scalar(&format!("SELECT MAX(id) FROM {table}")).fetch_one(&mut *tx).await?;
        if max.unwrap_or(0) >= 1_000_000_000_000 {
            return Err(LegacyError::TooLarge(table));
        }
    }
    (&mut *tx).execute(UPGRADE_SQL).await?;
    for m in migrator.iter().filter(|m| LEGACY_VERSIONS.contains(&m.version)) {
        sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = $2")
            .bind(m.checksum.to_vec())
            .bind(m.version)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    tracing::info!("converted a database made by the per-engine migrations to the one migration set");
    Ok(true)
}
