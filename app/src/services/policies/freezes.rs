//! Freeze windows in the database (`freeze_windows`).

use super::rows::{FreezeKind, FreezeRow};
use crate::domain::policy::{FreezeSchedule, FreezeWindow};
use crate::services::{clock::now_ms, db::Db, random::random_hex};

/// A stored freeze window and who created it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FreezeRecord {
    pub window: FreezeWindow,
    pub created_by: String,
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, environment, cluster, capacity_provider, kind, starts_at, ends_at, weekdays, start_minute, \
                       end_minute, reason, created_by, created_at";

fn decode(what: &str, e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("freeze_windows.{what}: {e}").into())
}

fn from_row(r: FreezeRow) -> Result<FreezeRecord, sqlx::Error> {
    let minute = |col: &str, v: i64| u32::try_from(v).map_err(|e| decode(col, e));
    let schedule = match r.kind {
        FreezeKind::Once => FreezeSchedule::Once { starts_at: r.starts_at, ends_at: r.ends_at },
        FreezeKind::Weekly => FreezeSchedule::Weekly {
            weekdays: serde_json::from_str(&r.weekdays).map_err(|e| decode("weekdays", e))?,
            start_minute: minute("start_minute", r.start_minute)?,
            end_minute: minute("end_minute", r.end_minute)?,
        },
    };
    Ok(FreezeRecord {
        window: FreezeWindow {
            id: r.id,
            environment: r.environment,
            cluster: r.cluster,
            capacity_provider: r.capacity_provider,
            schedule,
            reason: r.reason,
        },
        created_by: r.created_by,
        created_at: r.created_at,
    })
}

/// Every freeze window, newest first.
pub async fn list(db: &Db) -> Result<Vec<FreezeRecord>, sqlx::Error> {
    sqlx::query_as::<_, FreezeRow>(&format!(
        "SELECT {COLUMNS} FROM freeze_windows ORDER BY created_at DESC, id"
    ))
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(from_row)
    .collect()
}

pub async fn get(db: &Db, id: &str) -> Result<Option<FreezeRecord>, sqlx::Error> {
    sqlx::query_as::<_, FreezeRow>(&format!("SELECT {COLUMNS} FROM freeze_windows WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .map(from_row)
        .transpose()
}

/// Stores a window: a new one (empty `id`, one is assigned) or a replacement of the window with
/// that id. Returns the id.
pub async fn save(db: &Db, w: &FreezeWindow, actor: &str) -> Result<String, sqlx::Error> {
    let id = if w.id.is_empty() { random_hex(16) } else { w.id.clone() };
    let (kind, starts, ends, days, start_minute, end_minute) = match &w.schedule {
        FreezeSchedule::Once { starts_at, ends_at } => {
            (FreezeKind::Once, *starts_at, *ends_at, "[]".to_string(), 0, 0)
        }
        FreezeSchedule::Weekly { weekdays, start_minute, end_minute } => (
            FreezeKind::Weekly,
            0,
            0,
            serde_json::to_string(weekdays).unwrap_or_else(|_| "[]".into()),
            i64::from(*start_minute),
            i64::from(*end_minute),
        ),
    };
    sqlx::query(
        "INSERT INTO freeze_windows (id, cluster, capacity_provider, kind, starts_at, ends_at, weekdays, \
         start_minute, end_minute, reason, created_by, created_at, environment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (id) DO UPDATE SET cluster = $2, capacity_provider = $3, kind = $4, starts_at = $5, \
         ends_at = $6, weekdays = $7, start_minute = $8, end_minute = $9, reason = $10, environment = $13",
    )
    .bind(&id)
    .bind(&w.cluster)
    .bind(&w.capacity_provider)
    .bind(kind.as_str())
    .bind(starts)
    .bind(ends)
    .bind(days)
    .bind(start_minute)
    .bind(end_minute)
    .bind(&w.reason)
    .bind(actor)
    .bind(now_ms())
    .bind(&w.environment)
    .execute(db.pool())
    .await?;
    Ok(id)
}

/// Removes a window; whether it existed.
pub async fn delete(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM freeze_windows WHERE id = $1").bind(id).execute(db.pool()).await?;
    Ok(done.rows_affected() > 0)
}

/// The freeze windows that hold a request in `environment` on `cluster` touching `providers`
/// at `at_ms`.
pub async fn freezes_for(
    db: &Db,
    environment: &str,
    cluster: &str,
    providers: &[String],
    at_ms: i64,
) -> Result<Vec<FreezeWindow>, sqlx::Error> {
    // Few rows (admins write them by hand): filter by cluster in SQL, the schedule in Rust,
    // where the weekly arithmetic lives once.
    let rows = sqlx::query_as::<_, FreezeRow>(&format!(
        "SELECT {COLUMNS} FROM freeze_windows WHERE cluster = $1 OR cluster = '*' ORDER BY id"
    ))
    .bind(cluster)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(from_row)
    .collect::<Result<Vec<_>, _>>()?;
    Ok(rows
        .into_iter()
        .map(|rec| rec.window)
        .filter(|w| w.applies_to(environment, cluster, providers) && w.covers(at_ms))
        .collect())
}
