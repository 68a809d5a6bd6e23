//! Approval policies in the database (`policies`), and the choice of the policy that governs a
//! change request.

use app::domain::policy::{Policy, ANY_CLUSTER};
use sqlx::{any::AnyRow, Row};

pub use super::freezes::freezes_for;
use crate::{
    auth::{now_ms, random_hex},
    db::Db,
};

/// A stored policy and who last changed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRecord {
    pub policy: Policy,
    pub updated_at: i64,
    pub updated_by: String,
}

const COLUMNS: &str =
    "cluster, capacity_provider, approvals_required, approver_teams, allow_self_approval, expiry_hours, updated_at, updated_by";

fn from_row(r: &AnyRow) -> Result<PolicyRecord, sqlx::Error> {
    let teams: String = r.try_get("approver_teams")?;
    // Only this module writes the column (a JSON array of names); a damaged value would widen
    // approval to every team, so refuse it instead of defaulting.
    let approver_teams: Vec<String> = serde_json::from_str(&teams)
        .map_err(|e| sqlx::Error::Decode(format!("policies.approver_teams: {e}").into()))?;
    let count = |col: &str| -> Result<u32, sqlx::Error> {
        let v: i64 = r.try_get(col)?;
        u32::try_from(v).map_err(|_| sqlx::Error::Decode(format!("policies.{col}: {v} out of range").into()))
    };
    Ok(PolicyRecord {
        policy: Policy {
            cluster: r.try_get("cluster")?,
            capacity_provider: r.try_get("capacity_provider")?,
            approvals_required: count("approvals_required")?,
            approver_teams,
            allow_self_approval: r.try_get::<i64, _>("allow_self_approval")? != 0,
            expiry_hours: count("expiry_hours")?,
        },
        updated_at: r.try_get("updated_at")?,
        updated_by: r.try_get("updated_by")?,
    })
}

/// Every policy, by cluster (`*` first) then capacity provider (whole cluster first).
pub async fn list(db: &Db) -> Result<Vec<PolicyRecord>, sqlx::Error> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM policies ORDER BY cluster, capacity_provider"))
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(from_row)
        .collect()
}

pub async fn get(
    db: &Db,
    cluster: &str,
    capacity_provider: &str,
) -> Result<Option<PolicyRecord>, sqlx::Error> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM policies WHERE cluster = $1 AND capacity_provider = $2"))
        .bind(cluster)
        .bind(capacity_provider)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Creates or replaces the policy of (cluster, capacity provider). Atomic on both engines
/// (`ON CONFLICT` on the unique pair), so two admins saving at once leave one row.
pub async fn upsert(db: &Db, p: &Policy, actor: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO policies (id, cluster, capacity_provider, approvals_required, approver_teams, \
         allow_self_approval, expiry_hours, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (cluster, capacity_provider) DO UPDATE SET approvals_required = $4, approver_teams = $5, \
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
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Removes the policy of (cluster, capacity provider); whether there was one.
pub async fn delete(db: &Db, cluster: &str, capacity_provider: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM policies WHERE cluster = $1 AND capacity_provider = $2")
        .bind(cluster)
        .bind(capacity_provider)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The policy that governs a request on `cluster` touching `providers` (none for requests
/// that touch no capacity provider, or no cluster at all: `cluster` "").
///
/// Each provider is governed by its own (cluster, provider) row, else the cluster's
/// (cluster, "") row, else the (`*`, "") row, else [`Policy::builtin_default`]; a request
/// touching several providers gets the strictest of theirs (see [`Policy::stricter_than`]).
pub async fn policy_for(db: &Db, cluster: &str, providers: &[String]) -> Result<Policy, sqlx::Error> {
    let rows: Vec<Policy> =
        sqlx::query(&format!("SELECT {COLUMNS} FROM policies WHERE cluster = $1 OR cluster = $2"))
            .bind(cluster)
            .bind(ANY_CLUSTER)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| from_row(r).map(|rec| rec.policy))
            .collect::<Result<_, _>>()?;
    Ok(choose(&rows, cluster, providers))
}

/// The pure part of [`policy_for`], over the rows of `cluster` and `*`.
pub fn choose(rows: &[Policy], cluster: &str, providers: &[String]) -> Policy {
    let find = |c: &str, p: &str| rows.iter().find(|r| r.cluster == c && r.capacity_provider == p);
    let fallback = || {
        find(cluster, "")
            .or_else(|| find(ANY_CLUSTER, ""))
            .cloned()
            .unwrap_or_else(|| Policy::builtin_default(cluster))
    };
    let mut best: Option<Policy> = None;
    for p in providers {
        let candidate = find(cluster, p).cloned().unwrap_or_else(fallback);
        if best.as_ref().is_none_or(|b| candidate.stricter_than(b)) {
            best = Some(candidate);
        }
    }
    best.unwrap_or_else(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(cluster: &str, provider: &str, approvals: u32) -> Policy {
        Policy {
            cluster: cluster.into(),
            capacity_provider: provider.into(),
            approvals_required: approvals,
            ..Policy::builtin_default(cluster)
        }
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn falls_back_from_provider_to_cluster_to_star_to_builtin() {
        let rows = vec![p("prod", "mi-a", 3), p("prod", "", 2), p("*", "", 0)];
        assert_eq!(choose(&rows, "prod", &names(&["mi-a"])).approvals_required, 3);
        assert_eq!(choose(&rows, "prod", &names(&["mi-b"])).approvals_required, 2);
        assert_eq!(choose(&rows, "prod", &[]).approvals_required, 2);
        assert_eq!(choose(&rows, "dev", &names(&["mi-a"])).approvals_required, 0, "mi-a of prod only");
        assert_eq!(choose(&rows, "", &[]).approvals_required, 0);
        let b = choose(&rows[..2], "dev", &[]);
        assert_eq!(b, Policy::builtin_default("dev"));
    }

    #[test]
    fn several_providers_take_the_strictest() {
        let rows = vec![p("prod", "mi-a", 0), p("prod", "mi-c", 5), p("prod", "", 2)];
        assert_eq!(choose(&rows, "prod", &names(&["mi-a", "mi-b"])).approvals_required, 2);
        let c = choose(&rows, "prod", &names(&["mi-a", "mi-c", "mi-b"]));
        assert_eq!((c.capacity_provider.as_str(), c.approvals_required), ("mi-c", 5));
        // A lenient provider row wins over nothing only when it is the only provider.
        assert_eq!(choose(&rows, "prod", &names(&["mi-a"])).approvals_required, 0);
    }
}
