//! The `environments` table.

use sqlx::FromRow;

use crate::api::environments::EnvironmentSource;
use crate::domain::environment::Environment;
use crate::services::{clock::now_ms, db::Db};

/// An environment as stored: what it is, and who owns its row.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvironmentRow {
    pub env: Environment,
    pub source: EnvironmentSource,
    pub is_default: bool,
}

#[derive(FromRow)]
struct Row {
    name: String,
    account_id: Option<String>,
    region: String,
    role_arn: Option<String>,
    external_id: Option<String>,
    endpoint: Option<String>,
    source: String,
    is_default: i64,
}

impl From<Row> for EnvironmentRow {
    fn from(r: Row) -> Self {
        EnvironmentRow {
            env: Environment {
                name: r.name,
                account_id: r.account_id,
                region: r.region,
                role_arn: r.role_arn,
                external_id: r.external_id,
                endpoint: r.endpoint,
            },
            source: EnvironmentSource::parse(&r.source),
            is_default: r.is_default != 0,
        }
    }
}

const COLUMNS: &str = "name, account_id, region, role_arn, external_id, endpoint, source, is_default";

/// Every environment, in the order they were given (the file's order, then additions).
pub async fn list(db: &Db) -> Result<Vec<EnvironmentRow>, sqlx::Error> {
    let rows =
        sqlx::query_as::<_, Row>(&format!("SELECT {COLUMNS} FROM environments ORDER BY position, name"))
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(EnvironmentRow::from).collect())
}

pub async fn get(db: &Db, name: &str) -> Result<Option<EnvironmentRow>, sqlx::Error> {
    let row = sqlx::query_as::<_, Row>(&format!("SELECT {COLUMNS} FROM environments WHERE name = $1"))
        .bind(name)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(EnvironmentRow::from))
}

/// Adds an environment after the others; false when the name is taken.
pub async fn insert(
    db: &Db,
    env: &Environment,
    source: EnvironmentSource,
    actor: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO environments \
         (name, account_id, region, role_arn, external_id, endpoint, source, is_default, position, created_by, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7, 0, COALESCE(MAX(position), -1) + 1, $8, $9 FROM environments WHERE 1 = 1 \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(&env.name)
    .bind(&env.account_id)
    .bind(&env.region)
    .bind(&env.role_arn)
    .bind(&env.external_id)
    .bind(&env.endpoint)
    .bind(source.as_str())
    .bind(actor)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets every field of a file's environment to what the file says (and its place to the
/// file's order); inserts it if it is new.
pub async fn upsert_from_file(db: &Db, env: &Environment, position: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO environments \
         (name, account_id, region, role_arn, external_id, endpoint, source, is_default, position, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'file', 0, $7, 'PORTAL_ENVIRONMENTS', $8) \
         ON CONFLICT (name) DO UPDATE SET account_id = excluded.account_id, region = excluded.region, \
         role_arn = excluded.role_arn, external_id = excluded.external_id, endpoint = excluded.endpoint, \
         source = 'file', position = excluded.position",
    )
    .bind(&env.name)
    .bind(&env.account_id)
    .bind(&env.region)
    .bind(&env.role_arn)
    .bind(&env.external_id)
    .bind(&env.endpoint)
    .bind(position)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Removes the file's environments that the file no longer names.
pub async fn delete_file_rows_except(db: &Db, keep: &[String]) -> Result<Vec<String>, sqlx::Error> {
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM environments WHERE source = 'file'")
        .fetch_all(db.pool())
        .await?;
    let gone: Vec<String> = names.into_iter().filter(|n| !keep.contains(n)).collect();
    for name in &gone {
        sqlx::query("DELETE FROM environments WHERE name = $1 AND source = 'file'")
            .bind(name)
            .execute(db.pool())
            .await?;
    }
    Ok(gone)
}

/// Makes `name` the one default environment (a conditional UPDATE each: the last one wins,
/// and there is never a moment with two).
pub async fn set_default(db: &Db, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE environments SET is_default = CASE WHEN name = $1 THEN 1 ELSE 0 END")
        .bind(name)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Removes an environment the admin page added; false when there is no such row.
pub async fn delete(db: &Db, name: &str) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM environments WHERE name = $1 AND source <> 'file' AND is_default = 0")
            .bind(name)
            .execute(db.pool())
            .await?;
    Ok(done.rows_affected() == 1)
}
