//! Where the environments come from when a replica starts:
//!
//! - a `PORTAL_ENVIRONMENTS` file (GitOps): its environments are made to match the file at
//!   every start (added, changed, removed), and the admin page shows them read-only;
//! - otherwise, on the first start only, the built-in ones: in `aws` mode one environment
//!   from the default credential chain and region, in `embedded` mode one per emulator world.
//!
//! Environments added on the admin page are kept either way. Exactly one is the default.

use crate::api::environments::EnvironmentSource;
use crate::domain::environment::Environment;
use crate::services::db::Db;

use super::rows;

/// An environment named in the file, and whether the file marks it as the default.
#[derive(Clone, Debug, PartialEq)]
pub struct FromFile {
    pub env: Environment,
    pub default: bool,
}

pub enum Given {
    File(Vec<FromFile>),
    BuiltIn(Vec<Environment>),
}

/// Brings the table in line with what was given; answers the default environment.
pub async fn sync(db: &Db, given: Given) -> Result<Environment, String> {
    let fail = |e: sqlx::Error| format!("environments: {e}");
    match given {
        Given::File(file) => {
            for (position, entry) in file.iter().enumerate() {
                rows::upsert_from_file(db, &entry.env, position as i64).await.map_err(fail)?;
            }
            let names: Vec<String> = file.iter().map(|f| f.env.name.clone()).collect();
            let gone = rows::delete_file_rows_except(db, &names).await.map_err(fail)?;
            if !gone.is_empty() {
                tracing::info!(?gone, "environments no longer in PORTAL_ENVIRONMENTS removed");
            }
            let current = rows::list(db).await.map_err(fail)?.into_iter().find(|r| r.is_default);
            let marked = file.iter().find(|f| f.default).map(|f| f.env.name.clone());
            let keep = current.map(|c| c.env.name);
            if let Some(name) = marked.or(keep).or_else(|| names.first().cloned()) {
                rows::set_default(db, &name).await.map_err(fail)?;
            }
        }
        Given::BuiltIn(envs) => {
            if rows::list(db).await.map_err(fail)?.is_empty() {
                for env in &envs {
                    rows::insert(db, env, EnvironmentSource::BuiltIn, "daemon-portal").await.map_err(fail)?;
                }
            }
        }
    }
    let all = rows::list(db).await.map_err(fail)?;
    let default = match all.iter().find(|r| r.is_default) {
        Some(default) => default.env.clone(),
        None => {
            let first = all.first().ok_or("no environment is configured: PORTAL_ENVIRONMENTS names none")?;
            rows::set_default(db, &first.env.name).await.map_err(fail)?;
            first.env.clone()
        }
    };
    claim_unscoped(db, &default.name).await.map_err(fail)?;
    Ok(default)
}

/// Gives rows from before environments (migration 0015) the default environment: one UPDATE
/// per table, a no-op once done.
pub async fn claim_unscoped(db: &Db, default: &str) -> Result<(), sqlx::Error> {
    for table in ["change_requests", "rollouts"] {
        let done = sqlx::query(&format!("UPDATE {table} SET environment = $1 WHERE environment IS NULL"))
            .bind(default)
            .execute(db.pool())
            .await?;
        if done.rows_affected() > 0 {
            tracing::info!(
                table,
                rows = done.rows_affected(),
                environment = default,
                "rows from before environments claimed"
            );
        }
    }
    Ok(())
}
