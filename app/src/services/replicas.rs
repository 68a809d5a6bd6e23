//! Which replicas are alive. Each replica's worker writes a heartbeat lease,
//! `replica:<instance>` in `worker_leases`, every [`HEARTBEAT_MS`], valid for three beats (so a
//! clock a little off, or a slow round, does not drop a replica). The live count divides every
//! environment's ECS rate (`environments::rate_limit::Share`): ECS throttles an account, not a
//! replica.

use crate::services::{clock::now_ms, db::Db};

pub const HEARTBEAT_MS: i64 = 10_000;

/// Writes this replica's heartbeat and answers how many replicas are alive (itself included).
pub async fn heartbeat(db: &Db, instance: &str) -> Result<u32, sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO worker_leases (name, owner, until) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until",
    )
    .bind(format!("replica:{instance}"))
    .bind(instance)
    .bind(now + 3 * HEARTBEAT_MS)
    .execute(db.pool())
    .await?;
    // Replicas gone for a day leave no row behind.
    sqlx::query("DELETE FROM worker_leases WHERE name LIKE 'replica:%' AND until < $1")
        .bind(now - 86_400_000)
        .execute(db.pool())
        .await?;
    let alive: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM worker_leases WHERE name LIKE 'replica:%' AND until > $1")
            .bind(now)
            .fetch_one(db.pool())
            .await?;
    Ok(u32::try_from(alive).unwrap_or(1).max(1))
}
