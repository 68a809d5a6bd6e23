//! SQL for pipelines, promotions, their stages and timeline. Every transition is one conditional
//! UPDATE (`WHERE state = …`), so of two replicas (or a replica and a user) racing, exactly one
//! moves it.

use sqlx::FromRow;

use crate::domain::{
    pipeline::{PipelineSpec, StageSpec},
    promotion::{PromotionState, StageState},
};
use crate::services::{clock::now_ms, db::Db, random::random_hex};

#[derive(Clone, Debug)]
pub struct PipelineRecord {
    pub id: String,
    pub spec: PipelineSpec,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(FromRow)]
struct PipelineRow {
    id: String,
    document: String,
    created_by: String,
    created_at: i64,
    updated_at: i64,
}

fn decode(what: &str, e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("{what}: {e}").into())
}

impl TryFrom<PipelineRow> for PipelineRecord {
    type Error = sqlx::Error;
    fn try_from(r: PipelineRow) -> Result<Self, sqlx::Error> {
        Ok(PipelineRecord {
            spec: serde_json::from_str(&r.document).map_err(|e| decode("pipelines.document", e))?,
            id: r.id,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

pub async fn pipelines(db: &Db) -> Result<Vec<PipelineRecord>, sqlx::Error> {
    sqlx::query_as::<_, PipelineRow>(
        "SELECT id, document, created_by, created_at, updated_at FROM pipelines ORDER BY name",
    )
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(PipelineRecord::try_from)
    .collect()
}

pub async fn pipeline_named(db: &Db, name: &str) -> Result<Option<PipelineRecord>, sqlx::Error> {
    sqlx::query_as::<_, PipelineRow>(
        "SELECT id, document, created_by, created_at, updated_at FROM pipelines WHERE name = $1",
    )
    .bind(name)
    .fetch_optional(db.pool())
    .await?
    .map(PipelineRecord::try_from)
    .transpose()
}

/// Creates or replaces the pipeline named `spec.name`; `Ok(false)` if `only_new` and it exists.
pub async fn save_pipeline(
    db: &Db,
    spec: &PipelineSpec,
    by: &str,
    only_new: bool,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let document = serde_json::to_string(spec).map_err(|e| decode("pipelines.document", e))?;
    let sql = if only_new {
        "INSERT INTO pipelines (id, name, document, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (name) DO NOTHING"
    } else {
        "INSERT INTO pipelines (id, name, document, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) \
         ON CONFLICT (name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at"
    };
    let done = sqlx::query(sql)
        .bind(random_hex(16))
        .bind(&spec.name)
        .bind(document)
        .bind(by)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_pipeline(db: &Db, name: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM pipelines WHERE name = $1").bind(name).execute(db.pool()).await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Clone, Debug, FromRow)]
pub struct PromotionRecord {
    pub id: String,
    pub pipeline_id: String,
    pub pipeline_name: String,
    pub family: String,
    pub revision: i64,
    #[sqlx(try_from = "String")]
    pub state: PromotionState,
    pub current_stage: i64,
    pub requested_by: String,
    pub reason: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct StageRecord {
    pub position: i64,
    pub spec: StageSpec,
    pub state: StageState,
    pub request_id: String,
    pub previous_revision: String,
    pub soak_until: i64,
    pub waiting_until: i64,
    pub gate_note: String,
    pub promoted_by: String,
    pub rollback_request_id: String,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

#[derive(FromRow)]
struct StageRow {
    position: i64,
    spec: String,
    state: String,
    request_id: String,
    previous_revision: String,
    soak_until: i64,
    waiting_until: i64,
    gate_note: String,
    promoted_by: String,
    rollback_request_id: String,
    started_at: Option<i64>,
    finished_at: Option<i64>,
}

impl TryFrom<StageRow> for StageRecord {
    type Error = sqlx::Error;
    fn try_from(r: StageRow) -> Result<Self, sqlx::Error> {
        Ok(StageRecord {
            position: r.position,
            spec: serde_json::from_str(&r.spec).map_err(|e| decode("promotion_stages.spec", e))?,
            state: StageState::try_from(r.state).map_err(|e| decode("promotion_stages.state", e))?,
            request_id: r.request_id,
            previous_revision: r.previous_revision,
            soak_until: r.soak_until,
            waiting_until: r.waiting_until,
            gate_note: r.gate_note,
            promoted_by: r.promoted_by,
            rollback_request_id: r.rollback_request_id,
            started_at: r.started_at,
            finished_at: r.finished_at,
        })
    }
}

const PROMOTION_COLUMNS: &str = "id, pipeline_id, pipeline_name, family, revision, state, current_stage, \
     requested_by, reason, version, created_at, updated_at, finished_at";

/// Stores a new promotion with its stages (the first one waiting) in one transaction.
pub async fn insert_promotion(
    db: &Db,
    id: &str,
    pipeline: &PipelineRecord,
    family: &str,
    revision: u32,
    by: &str,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    sqlx::query(&format!(
        "INSERT INTO promotions ({PROMOTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, 'running', 0, $6, '', 1, $7, $7, NULL)"
    ))
    .bind(id)
    .bind(&pipeline.id)
    .bind(&pipeline.spec.name)
    .bind(family)
    .bind(i64::from(revision))
    .bind(by)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for (i, stage) in pipeline.spec.stages.iter().enumerate() {
        let state = if i == 0 { StageState::Waiting } else { StageState::Pending };
        sqlx::query(
            "INSERT INTO promotion_stages (promotion_id, position, name, spec, state, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(i as i64)
        .bind(&stage.name)
        .bind(serde_json::to_string(stage).map_err(|e| decode("promotion_stages.spec", e))?)
        .bind(state.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

pub async fn promotion(db: &Db, id: &str) -> Result<Option<PromotionRecord>, sqlx::Error> {
    sqlx::query_as::<_, PromotionRecord>(&format!("SELECT {PROMOTION_COLUMNS} FROM promotions WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await
}

/// Newest first; `before`: a keyset cursor (created_at, id).
pub async fn promotions(
    db: &Db,
    pipeline: Option<&str>,
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<PromotionRecord>, sqlx::Error> {
    let (at, id) = before.unwrap_or((i64::MAX, String::new()));
    sqlx::query_as::<_, PromotionRecord>(&format!(
        "SELECT {PROMOTION_COLUMNS} FROM promotions WHERE ($1 = '' OR pipeline_name = $1) \
         AND (created_at < $2 OR (created_at = $2 AND id < $3) OR $3 = '') \
         ORDER BY created_at DESC, id DESC LIMIT $4"
    ))
    .bind(pipeline.unwrap_or(""))
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// Promotions the worker drives: running ones, and ended ones whose stages still have rollback
/// requests to follow.
pub async fn drivable(db: &Db, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar::<_, String>(
        "SELECT id FROM promotions WHERE state = 'running' ORDER BY updated_at LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

pub async fn stages(db: &Db, promotion_id: &str) -> Result<Vec<StageRecord>, sqlx::Error> {
    sqlx::query_as::<_, StageRow>(
        "SELECT position, spec, state, request_id, previous_revision, soak_until, waiting_until, gate_note, \
         promoted_by, rollback_request_id, started_at, finished_at \
         FROM promotion_stages WHERE promotion_id = $1 ORDER BY position",
    )
    .bind(promotion_id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(StageRecord::try_from)
    .collect()
}

/// After an UPDATE of one stage row: bumps the promotion's version if it changed the row; true
/// if it did.
async fn touch_if_moved(db: &Db, id: &str, rows_affected: u64) -> Result<bool, sqlx::Error> {
    let moved = rows_affected == 1;
    if moved {
        touch(db, id).await?;
    }
    Ok(moved)
}

/// Bumps the promotion's version (API clients see something moved) after a stage changed.
async fn touch(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE promotions SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Moves the promotion from `from` to `to` (recording `reason` when given); true if this call
/// moved it.
pub async fn set_state(
    db: &Db,
    id: &str,
    from: &[PromotionState],
    to: PromotionState,
    reason: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let list = from.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ");
    let done = sqlx::query(&format!(
        "UPDATE promotions SET state = $1, reason = COALESCE($2, reason), version = version + 1, updated_at = $3, \
         finished_at = CASE WHEN $4 = 1 THEN $3 ELSE finished_at END WHERE id = $5 AND state IN ({list})"
    ))
    .bind(to.as_str())
    .bind(reason)
    .bind(now)
    .bind(i64::from(to.is_final()))
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Makes stage `next` current (the stage before it succeeded): one UPDATE of the promotion
/// guarded by its current stage, then the stage becomes `waiting`.
pub async fn advance(db: &Db, id: &str, from_stage: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE promotions SET current_stage = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND current_stage = $4 AND state = 'running'",
    )
    .bind(from_stage + 1)
    .bind(now_ms())
    .bind(id)
    .bind(from_stage)
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 1 {
        stage_transition(
            db,
            id,
            from_stage + 1,
            StageState::Pending,
            StageState::Waiting,
            StageChange::default(),
        )
        .await?;
    }
    Ok(done.rows_affected() == 1)
}

/// What a stage transition writes besides the state.
#[derive(Default)]
pub struct StageChange<'a> {
    pub request_id: Option<&'a str>,
    pub previous_revision: Option<&'a str>,
    pub soak_until: Option<i64>,
    pub gate_note: Option<&'a str>,
    pub promoted_by: Option<&'a str>,
    pub started: bool,
}

/// Moves stage `position` from `from` to `to`; true if this call moved it.
pub async fn stage_transition(
    db: &Db,
    id: &str,
    position: i64,
    from: StageState,
    to: StageState,
    c: StageChange<'_>,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let ended = matches!(to, StageState::Succeeded | StageState::Failed | StageState::Aborted);
    let done = sqlx::query(
        "UPDATE promotion_stages SET state = $1, request_id = COALESCE($2, request_id), \
         previous_revision = COALESCE($3, previous_revision), soak_until = COALESCE($4, soak_until), \
         gate_note = COALESCE($5, gate_note), promoted_by = COALESCE($6, promoted_by), \
         started_at = CASE WHEN $7 = 1 THEN $8 ELSE started_at END, \
         finished_at = CASE WHEN $9 = 1 THEN $8 ELSE finished_at END, updated_at = $8 \
         WHERE promotion_id = $10 AND position = $11 AND state = $12",
    )
    .bind(to.as_str())
    .bind(c.request_id)
    .bind(c.previous_revision)
    .bind(c.soak_until)
    .bind(c.gate_note)
    .bind(c.promoted_by)
    .bind(i64::from(c.started))
    .bind(now)
    .bind(i64::from(ended))
    .bind(id)
    .bind(position)
    .bind(from.as_str())
    .execute(db.pool())
    .await?;
    touch_if_moved(db, id, done.rows_affected()).await
}

/// Records why the stage waits (window, approvals) without changing its state; bumps the
/// version only when the note changed, so a page is not reloaded every round for nothing.
pub async fn set_gate_note(
    db: &Db,
    id: &str,
    position: i64,
    note: &str,
    waiting_until: i64,
) -> Result<(), sqlx::Error> {
    let done = sqlx::query(
        "UPDATE promotion_stages SET gate_note = $1, waiting_until = $2, updated_at = $3 \
         WHERE promotion_id = $4 AND position = $5 AND (gate_note <> $1 OR waiting_until <> $2)",
    )
    .bind(note)
    .bind(waiting_until)
    .bind(now_ms())
    .bind(id)
    .bind(position)
    .execute(db.pool())
    .await?;
    touch_if_moved(db, id, done.rows_affected()).await?;
    Ok(())
}

/// Writes the rollback request's id on a stage, once: true if this call wrote it.
pub async fn set_rollback_request(
    db: &Db,
    id: &str,
    position: i64,
    request_id: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE promotion_stages SET rollback_request_id = $1, updated_at = $2 \
         WHERE promotion_id = $3 AND position = $4 AND rollback_request_id = ''",
    )
    .bind(request_id)
    .bind(now_ms())
    .bind(id)
    .bind(position)
    .execute(db.pool())
    .await?;
    touch_if_moved(db, id, done.rows_affected()).await
}

#[derive(Clone, Debug, FromRow)]
pub struct EventRecord {
    pub position: Option<i64>,
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

pub async fn add_event(
    db: &Db,
    id: &str,
    position: Option<i64>,
    actor: &str,
    kind: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO promotion_events (id, promotion_id, position, at, actor, kind, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(crate::services::ids::new_id())
    .bind(id)
    .bind(position)
    .bind(now_ms())
    .bind(actor)
    .bind(kind)
    .bind(detail)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn events(db: &Db, id: &str) -> Result<Vec<EventRecord>, sqlx::Error> {
    sqlx::query_as::<_, EventRecord>(
        "SELECT position, at, actor, kind, detail FROM promotion_events WHERE promotion_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await
}

/// The promotion whose stage made change request `request_id`, if any (history groups by it).
pub async fn promotion_of_request(
    db: &Db,
    request_id: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as::<_, (String, String)>(
        "SELECT s.promotion_id, s.name FROM promotion_stages s \
         WHERE s.request_id = $1 OR s.rollback_request_id = $1",
    )
    .bind(request_id)
    .fetch_optional(db.pool())
    .await
}
