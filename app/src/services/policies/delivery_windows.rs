//! Delivery windows in the database (`delivery_windows`), and their schedules.

use sqlx::FromRow;

use super::recurrence::{self, RecurringWindow, Schedule};
use crate::domain::{
    delivery_window::{DeliveryWindow, Effect},
    FieldErrors,
};
use crate::services::{clock::now_ms, db::Db, random::random_hex};

#[derive(FromRow)]
struct Row {
    id: String,
    effect: String,
    environment: String,
    cluster: String,
    capacity_provider: String,
    rule: String,
    time_zone: String,
    starts: String,
    duration_minutes: i64,
    reason: String,
}

fn from_row(r: Row) -> Result<DeliveryWindow, sqlx::Error> {
    Ok(DeliveryWindow {
        effect: Effect::parse(&r.effect)
            .ok_or_else(|| sqlx::Error::Decode(format!("delivery_windows.effect: {}", r.effect).into()))?,
        id: r.id,
        environment: r.environment,
        cluster: r.cluster,
        capacity_provider: r.capacity_provider,
        rule: r.rule,
        time_zone: r.time_zone,
        starts: r.starts,
        duration_minutes: u32::try_from(r.duration_minutes).unwrap_or(0),
        reason: r.reason,
    })
}

/// The window's expanded schedule, or the message of the field that keeps it from being one.
pub fn schedule(w: &DeliveryWindow) -> Result<Schedule, FieldErrors> {
    recurrence::parse(&RecurringWindow {
        rule: w.rule.clone(),
        time_zone: w.time_zone.clone(),
        starts: w.starts.clone(),
        duration_minutes: w.duration_minutes,
    })
    .map_err(|e| {
        let mut f = FieldErrors::new();
        f.add(e.field.name(), e.message);
        f
    })
}

pub async fn list(db: &Db) -> Result<Vec<DeliveryWindow>, sqlx::Error> {
    sqlx::query_as::<_, Row>(
        "SELECT id, effect, environment, cluster, capacity_provider, rule, time_zone, starts, duration_minutes, \
         reason FROM delivery_windows ORDER BY created_at, id",
    )
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(from_row)
    .collect()
}

/// Stores a checked window; its id.
pub async fn insert(db: &Db, w: &DeliveryWindow, actor: &str) -> Result<String, sqlx::Error> {
    let id = random_hex(16);
    sqlx::query(
        "INSERT INTO delivery_windows (id, effect, environment, cluster, capacity_provider, rule, time_zone, starts, \
         duration_minutes, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(w.effect.as_str())
    .bind(&w.environment)
    .bind(&w.cluster)
    .bind(&w.capacity_provider)
    .bind(&w.rule)
    .bind(&w.time_zone)
    .bind(&w.starts)
    .bind(i64::from(w.duration_minutes))
    .bind(&w.reason)
    .bind(actor)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(id)
}

pub async fn delete(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM delivery_windows WHERE id = $1").bind(id).execute(db.pool()).await?;
    Ok(done.rows_affected() == 1)
}

/// A window as the admin page shows it: with when it next opens, by the portal's clock.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WindowView {
    pub window: crate::domain::delivery_window::DeliveryWindow,
    /// The next (or current) occurrence, epoch ms, if any within a year.
    pub next: Option<(i64, i64)>,
}

impl super::Policies {
    pub async fn list_windows(&self) -> Result<Vec<WindowView>, super::PolicyError> {
        let now = now_ms();
        Ok(list(&self.db)
            .await?
            .into_iter()
            .map(|w| {
                let next = schedule(&w).ok().and_then(|s| {
                    s.between(now, now + 366 * 86_400_000, 1).first().map(|i| (i.start_ms, i.end_ms))
                });
                WindowView { window: w, next }
            })
            .collect())
    }

    /// Stores a window whose rule expands (every message next to its field); its id.
    pub async fn save_window(&self, w: &DeliveryWindow, actor: &str) -> Result<String, super::PolicyError> {
        self.check_environment(&w.environment).await?;
        schedule(w).map_err(super::PolicyError::Invalid)?;
        Ok(insert(&self.db, w, actor).await?)
    }

    pub async fn delete_window(&self, id: &str) -> Result<bool, super::PolicyError> {
        Ok(delete(&self.db, id).await?)
    }
}
