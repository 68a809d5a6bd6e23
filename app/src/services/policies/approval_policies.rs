//! Approval policies in the database (`policies`), and the policies that govern a change
//! request.

pub use super::freezes::freezes_for;
use super::rows::PolicyRow;
use crate::domain::policy::{combine, matching, CombinedPolicy, Policy, Scope, ANY_CLUSTER};
use crate::services::{clock::now_ms, db::Db, random::random_hex};

/// A stored policy and who last changed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRecord {
    pub policy: Policy,
    pub updated_at: i64,
    pub updated_by: String,
}

const COLUMNS: &str =
    "environment, cluster, capacity_provider, approvals_required, approver_teams, allow_self_approval, expiry_hours, updated_at, updated_by";

fn from_row(r: PolicyRow) -> Result<PolicyRecord, sqlx::Error> {
    // Only this module writes the column (a JSON array of names); a damaged value would widen
    // approval to every team, so refuse it instead of defaulting.
    let approver_teams: Vec<String> = serde_json::from_str(&r.approver_teams)
        .map_err(|e| sqlx::Error::Decode(format!("policies.approver_teams: {e}").into()))?;
    let count = |col: &str, v: i64| -> Result<u32, sqlx::Error> {
        u32::try_from(v).map_err(|_| sqlx::Error::Decode(format!("policies.{col}: {v} out of range").into()))
    };
    Ok(PolicyRecord {
        policy: Policy {
            environment: r.environment,
            cluster: r.cluster,
            capacity_provider: r.capacity_provider,
            approvals_required: count("approvals_required", r.approvals_required)?,
            approver_teams,
            allow_self_approval: r.allow_self_approval != 0,
            expiry_hours: count("expiry_hours", r.expiry_hours)?,
        },
        updated_at: r.updated_at,
        updated_by: r.updated_by,
    })
}

/// Every policy, by environment, cluster (`*` first) then capacity provider (whole cluster
/// first).
pub async fn list(db: &Db) -> Result<Vec<PolicyRecord>, sqlx::Error> {
    sqlx::query_as::<_, PolicyRow>(&format!(
        "SELECT {COLUMNS} FROM policies ORDER BY environment, cluster, capacity_provider"
    ))
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(from_row)
    .collect()
}

pub async fn get(
    db: &Db,
    environment: &str,
    cluster: &str,
    capacity_provider: &str,
) -> Result<Option<PolicyRecord>, sqlx::Error> {
    sqlx::query_as::<_, PolicyRow>(&format!(
        "SELECT {COLUMNS} FROM policies WHERE cluster = $1 AND capacity_provider = $2 AND environment = $3"
    ))
    .bind(cluster)
    .bind(capacity_provider)
    .bind(environment)
    .fetch_optional(db.pool())
    .await?
    .map(from_row)
    .transpose()
}

/// Creates or replaces the policy of (environment, cluster, capacity provider). Atomic on both
/// engines (`ON CONFLICT` on the unique triple), so two admins saving at once leave one row.
pub async fn upsert(db: &Db, p: &Policy, actor: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO policies (id, cluster, capacity_provider, approvals_required, approver_teams, \
         allow_self_approval, expiry_hours, updated_at, updated_by, environment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (environment, cluster, capacity_provider) DO UPDATE SET approvals_required = $4, approver_teams = $5, \
         allow_self_approval = $6, expiry_hours = $7, updated_at = $8, updated_by = $9",
    )
    .bind(random_hex(16))
    .bind(&p.cluster)
    .bind(&p.capacity_provider)
    .bind(i64::from(p.approvals_required))
    .bind(serde_json::to_string(&p.approver_teams).unwrap_or_else(|_| "[]".into()))
    .bind(i64::from(p.allow_self_approval))
    .bind(i64::from(p.expiry_hours))
    .bind(now_ms())
    .bind(actor)
    .bind(&p.environment)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Removes the policy of (environment, cluster, capacity provider); whether there was one.
pub async fn delete(
    db: &Db,
    environment: &str,
    cluster: &str,
    capacity_provider: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM policies WHERE cluster = $1 AND capacity_provider = $2 AND environment = $3",
    )
    .bind(cluster)
    .bind(capacity_provider)
    .bind(environment)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Every policy governing a request on `scope`, combined: the rule is written once, in
/// `crate::domain::policy` ([`matching`], [`combine`]); this reads the rows it needs (those of
/// the scope's cluster and of `*`).
pub async fn combined_for(db: &Db, scope: Scope) -> Result<CombinedPolicy, sqlx::Error> {
    let cluster = if scope.cluster.is_empty() { ANY_CLUSTER } else { scope.cluster.as_str() };
    let rows: Vec<Policy> = sqlx::query_as::<_, PolicyRow>(&format!(
        "SELECT {COLUMNS} FROM policies WHERE cluster = $1 OR cluster = $2"
    ))
    .bind(cluster)
    .bind(ANY_CLUSTER)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|r| from_row(r).map(|rec| rec.policy))
    .collect::<Result<_, _>>()?;
    Ok(combine(matching(&rows, &scope), scope))
}
