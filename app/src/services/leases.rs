//! Named leases in `worker_leases`: background work that one replica at a time should do (the
//! drift check, each environment's inventory) takes one; whoever holds an unexpired lease does
//! the work, and a replica that stops simply lets its lease run out.

use crate::services::{clock::now_ms, db::Db};

/// Takes lease `name` for `ms` if it has run out (whoever held it): one conditional upsert, so
/// of two replicas asking at once exactly one gets it. True if `owner` got it.
pub async fn take(db: &Db, owner: &str, name: &str, ms: i64) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let done = sqlx::query(
        "INSERT INTO worker_leases (name, owner, until) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until \
         WHERE worker_leases.until < $4",
    )
    .bind(name)
    .bind(owner)
    .bind(now + ms)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes lease `name` for `ms` if it has run out, or renews it if `owner` holds it: for work a
/// replica goes on with round after round (a promotion it drives). True if `owner` holds it.
pub async fn hold(db: &Db, owner: &str, name: &str, ms: i64) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let done = sqlx::query(
        "INSERT INTO worker_leases (name, owner, until) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until \
         WHERE worker_leases.until < $4 OR worker_leases.owner = $2",
    )
    .bind(name)
    .bind(owner)
    .bind(now + ms)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}
