//! The embedded default approval policies, created once on first start.

use crate::domain::policy::{Policy, DEFAULT_EXPIRY_HOURS};
use sqlx::Row;

use crate::services::{clock::now_ms, db::Db, random::random_hex};

/// Marks (in `portal_meta`) that the defaults were handled, so an admin who deletes them does
/// not see them come back at the next start.
const MARKER: &str = "default_policies_seeded";
const SEEDED_BY: &str = "system";

/// `default` → 0 approvals; `prod` → 1 approval from team `platform`, no self-approval;
/// `*` → 0 approvals (requests that touch no cluster, and clusters without a policy).
pub fn embedded_defaults() -> Vec<Policy> {
    let p = |cluster: &str, approvals: u32, teams: &[&str]| Policy {
        environment: crate::domain::policy::ANY_ENVIRONMENT.into(),
        cluster: cluster.into(),
        capacity_provider: String::new(),
        approvals_required: approvals,
        approver_teams: teams.iter().map(|t| t.to_string()).collect(),
        allow_self_approval: false,
        expiry_hours: DEFAULT_EXPIRY_HOURS,
    };
    vec![p("default", 0, &[]), p("prod", 1, &[crate::services::accounts::demo::DEMO_TEAM]), p("*", 0, &[])]
}

/// In embedded mode, when the `policies` table is empty on the first start, creates
/// [`embedded_defaults`]. Safe when two replicas start at once: the marker row and the
/// policies are written in one transaction, and only the replica whose marker insert took
/// effect goes on (the other's insert waits for the first to commit, then does nothing).
pub async fn ensure_default_policies(db: &Db, embedded: bool) -> Result<(), String> {
    if !embedded {
        return Ok(());
    }
    let err = |e: sqlx::Error| format!("creating the default approval policies: {e}");
    let mut tx = db.pool().begin().await.map_err(err)?;
    let claimed = sqlx::query(
        "INSERT INTO portal_meta (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
    )
    .bind(MARKER)
    .bind("embedded")
    .bind(now_ms())
    .execute(&mut *tx)
    .await
    .map_err(err)?;
    if claimed.rows_affected() == 0 {
        return tx.rollback().await.map_err(err);
    }
    let existing: i64 = sqlx::query("SELECT COUNT(*) AS n FROM policies")
        .fetch_one(&mut *tx)
        .await
        .map_err(err)?
        .try_get("n")
        .map_err(err)?;
    if existing == 0 {
        for p in embedded_defaults() {
            sqlx::query(
                "INSERT INTO policies (id, cluster, capacity_provider, approvals_required, approver_teams, \
                 allow_self_approval, expiry_hours, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (environment, cluster, capacity_provider) DO NOTHING",
            )
            .bind(random_hex(16))
            .bind(&p.cluster)
            .bind(&p.capacity_provider)
            .bind(i64::from(p.approvals_required))
            .bind(serde_json::to_string(&p.approver_teams).unwrap_or_else(|_| "[]".into()))
            .bind(i64::from(p.allow_self_approval))
            .bind(i64::from(p.expiry_hours))
            .bind(now_ms())
            .bind(SEEDED_BY)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        }
        tracing::info!(
            "created the default approval policies: default and * need 0 approvals, prod 1 from platform"
        );
    }
    tx.commit().await.map_err(err)
}
