//! SQL for change requests, their reviews and their timeline. Every state change is one
//! conditional UPDATE (`WHERE state = …`), so that of two racing callers exactly one wins.

use super::rows::{ApprovalRecord, Decision, EventRecord, RequestRecord, ReviewRecord};
use crate::services::{clock::now_ms, db::Db, sql_builder::SqlBuilder};
use crate::{
    api::changes::{ChangeRequestRow, EventView, Inbox, PolicySnapshot, RequestFilter, ReviewView},
    domain::{
        change::{ChangeKind, ChangeState},
        policy::Approval,
    },
};

/// A change request as stored.
#[derive(Clone, Debug)]
pub struct StoredRequest {
    pub row: ChangeRequestRow,
    pub version: i64,
    pub policy: PolicySnapshot,
    pub capacity_providers: Vec<String>,
    /// Where the request acts (now and target providers, `policy.scope`): what freeze windows
    /// are checked against. Requests stored before scopes: their target providers.
    pub providers_in_scope: Vec<String>,
    pub input: String,
    pub diff: String,
    /// The ECS deployment the call started; `None` until ECS answered.
    pub deployment_arn: Option<String>,
    pub outcome: String,
    pub override_reason: String,
    pub executed_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub lease_owner: String,
    pub lease_until: i64,
    pub attempts: i64,
    /// The daemon's newest ECS deployment just before the mutating call (`Some("")`: none);
    /// `None` until recorded. See `adopt.rs`.
    pub baseline_deployment_arn: Option<String>,
    /// The environment it acts in (`None` only before the first start claims old rows).
    pub environment: Option<String>,
}

/// What a new request holds.
pub struct NewRequest {
    pub id: String,
    pub kind: ChangeKind,
    pub cluster: String,
    pub daemon: String,
    pub family: String,
    pub from_revision: String,
    pub to_revision: String,
    pub capacity_providers: Vec<String>,
    pub team: String,
    pub requester: String,
    pub summary: String,
    pub input: String,
    pub diff: String,
    pub policy: PolicySnapshot,
    /// Where it acts (the environment's name).
    pub environment: String,
}

const COLUMNS: &str =
    "id, kind, state, cluster, daemon, family, from_revision, to_revision, team, requester, \
    summary, approvals_required, created_at, updated_at, expires_at, progress, version, policy, \
    capacity_providers, input, diff, deployment_arn, outcome, override_reason, executed_at, finished_at, \
    lease_owner, lease_until, attempts, baseline_deployment_arn, environment, \
    (SELECT COUNT(*) FROM request_reviews r WHERE r.request_id = change_requests.id \
       AND r.version = change_requests.version AND r.decision = 'approve') AS approvals";

/// Inserts a request in `state` (pending, or approved when no approval is needed).
pub async fn insert(db: &Db, r: &NewRequest, state: ChangeState) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let expires_at = now + i64::from(r.policy.expiry_hours) * 3_600_000;
    sqlx::query(
        "INSERT INTO change_requests (id, kind, cluster, daemon, family, from_revision, to_revision, \
         capacity_providers, team, requester, summary, input, diff, state, version, policy, approvals_required, \
         created_at, updated_at, expires_at, environment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16, $17, $17, $18, $19)",
    )
    .bind(&r.id)
    .bind(r.kind.as_str())
    .bind(&r.cluster)
    .bind(&r.daemon)
    .bind(&r.family)
    .bind(&r.from_revision)
    .bind(&r.to_revision)
    .bind(serde_json::to_string(&r.capacity_providers).unwrap_or_default())
    .bind(&r.team)
    .bind(&r.requester)
    .bind(&r.summary)
    .bind(&r.input)
    .bind(&r.diff)
    .bind(state.as_str())
    .bind(serde_json::to_string(&r.policy).unwrap_or_default())
    .bind(i64::from(r.policy.approvals_required))
    .bind(now)
    .bind(expires_at)
    .bind(&r.environment)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn get(db: &Db, id: &str) -> Result<Option<StoredRequest>, sqlx::Error> {
    sqlx::query_as::<_, RequestRecord>(&format!("SELECT {COLUMNS} FROM change_requests WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .map(StoredRequest::try_from)
        .transpose()
}

/// Moves a request from `from` to `to` if it is still in `from`; true if this call moved it.
pub async fn transition(db: &Db, id: &str, from: ChangeState, to: ChangeState) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let finished = to.is_final().then_some(now);
    let done = sqlx::query(
        "UPDATE change_requests SET state = $1, updated_at = $2, finished_at = COALESCE($3, finished_at) \
         WHERE id = $4 AND state = $5",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(finished)
    .bind(id)
    .bind(from.as_str())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// pending → approved, only if the request is still at `version` (an edit voids approvals).
pub async fn approve_version(db: &Db, id: &str, version: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE change_requests SET state = 'approved', updated_at = $1 \
         WHERE id = $2 AND state = 'pending' AND version = $3",
    )
    .bind(now_ms())
    .bind(id)
    .bind(version)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// pending → rejected, only if the request is still at the `version` the reviewer saw.
pub async fn reject_version(db: &Db, id: &str, version: i64) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE change_requests SET state = 'rejected', updated_at = $1, finished_at = $1 \
         WHERE id = $2 AND state = 'pending' AND version = $3",
    )
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a pending request's content with `new` (what a fresh submission would store:
/// content, team, the recomputed policy and scope, a new expiry) and bumps its version, which
/// voids the approvals given so far; false if it is no longer pending at `version`.
pub async fn edit(db: &Db, id: &str, version: i64, new: &NewRequest) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE change_requests SET version = version + 1, to_revision = $1, capacity_providers = $2, \
         summary = $3, input = $4, diff = $5, updated_at = $6, team = $7, policy = $8, \
         approvals_required = $9, expires_at = $10 \
         WHERE id = $11 AND state = 'pending' AND version = $12",
    )
    .bind(&new.to_revision)
    .bind(serde_json::to_string(&new.capacity_providers).unwrap_or_default())
    .bind(&new.summary)
    .bind(&new.input)
    .bind(&new.diff)
    .bind(now)
    .bind(&new.team)
    .bind(serde_json::to_string(&new.policy).unwrap_or_default())
    .bind(i64::from(new.policy.approvals_required))
    .bind(now + i64::from(new.policy.expiry_hours) * 3_600_000)
    .bind(id)
    .bind(version)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a review of `version`, only if the request is still pending at that version (one
/// conditional statement, so an edit racing the review either comes first and the review is
/// refused, or comes after and voids it); false when nothing was recorded. A second review by
/// the same person on the same version replaces the first. `credit` is what the reviewer may
/// approve for, kept so that each policy counts only its own teams' approvals.
pub async fn add_review(
    db: &Db,
    id: &str,
    credit: &Approval,
    version: i64,
    approve: bool,
    comment: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO request_reviews (request_id, reviewer, version, decision, comment, at, approver_teams, \
         approver_admin) SELECT $1, $2, $3, $4, $5, $6, $7, $8 \
         WHERE EXISTS (SELECT 1 FROM change_requests WHERE id = $1 AND version = $3 AND state = 'pending') \
         ON CONFLICT (request_id, reviewer, version) DO UPDATE SET decision = excluded.decision, \
         comment = excluded.comment, at = excluded.at, approver_teams = excluded.approver_teams, \
         approver_admin = excluded.approver_admin",
    )
    .bind(id)
    .bind(&credit.reviewer)
    .bind(version)
    .bind(Decision::of(approve).as_str())
    .bind(comment)
    .bind(now_ms())
    .bind(serde_json::to_string(&credit.teams).unwrap_or_else(|_| "[]".into()))
    .bind(i64::from(credit.any_team))
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The approvals of `version`, with what each reviewer could approve for.
pub async fn approvals(db: &Db, id: &str, version: i64) -> Result<Vec<Approval>, sqlx::Error> {
    sqlx::query_as::<_, ApprovalRecord>(
        "SELECT reviewer, approver_teams, approver_admin FROM request_reviews \
         WHERE request_id = $1 AND version = $2 AND decision = 'approve' ORDER BY at",
    )
    .bind(id)
    .bind(version)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(Approval::try_from)
    .collect()
}

/// Distinct people who approved `version`.
pub async fn approvers(db: &Db, id: &str, version: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT reviewer FROM request_reviews WHERE request_id = $1 AND version = $2 AND decision = 'approve' \
         ORDER BY at",
    )
    .bind(id)
    .bind(version)
    .fetch_all(db.pool())
    .await
}

pub async fn reviews(db: &Db, id: &str, current_version: i64) -> Result<Vec<ReviewView>, sqlx::Error> {
    let rows = sqlx::query_as::<_, ReviewRecord>(
        "SELECT reviewer, version, decision, comment, at FROM request_reviews WHERE request_id = $1 ORDER BY at",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|r| r.view(current_version)).collect())
}

pub async fn add_event(db: &Db, id: &str, actor: &str, kind: &str, detail: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO request_events (request_id, at, actor, kind, detail, id) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(now_ms())
    .bind(actor)
    .bind(kind)
    .bind(detail)
    .bind(crate::services::ids::new_id())
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn events(db: &Db, id: &str) -> Result<Vec<EventView>, sqlx::Error> {
    let rows = sqlx::query_as::<_, EventRecord>(
        "SELECT at, actor, kind, detail FROM request_events WHERE request_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(EventView::from).collect())
}

/// One page of requests, newest first, keyset-paginated on (created_at, id).
/// `waiting_for`: only pending requests (the caller then filters by who may review).
pub async fn list(
    db: &Db,
    filter: &RequestFilter,
    requester: Option<&str>,
    limit: i64,
) -> Result<Vec<StoredRequest>, sqlx::Error> {
    let mut q = SqlBuilder::new(format!("SELECT {COLUMNS} FROM change_requests WHERE 1 = 1"));
    let state = if filter.inbox == Inbox::Waiting {
        Some(ChangeState::Pending)
    } else if filter.state.is_empty() {
        None
    } else {
        // A state no request can be in matches nothing.
        let Some(state) = ChangeState::parse(&filter.state) else { return Ok(vec![]) };
        Some(state)
    };
    if let Some(state) = state {
        q.push(" AND state = ").push_bind(state.as_str());
    }
    if let Some(who) = requester {
        q.push(" AND requester = ").push_bind(who.to_string());
    }
    if !filter.cluster.is_empty() {
        q.push(" AND cluster = ").push_bind(filter.cluster.clone());
    }
    if !filter.environment.is_empty() {
        q.push(" AND environment = ").push_bind(filter.environment.clone());
    }
    if let Some((at, id)) = parse_cursor(&filter.after) {
        let (a, b) = (q.bind(at), q.bind(id));
        q.push(&format!(" AND (created_at < {a} OR (created_at = {a} AND id < {b}))"));
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(limit);
    q.fetch_all::<RequestRecord>(db.pool()).await?.into_iter().map(StoredRequest::try_from).collect()
}

/// `created_at:id` → its parts.
pub fn parse_cursor(s: &str) -> Option<(i64, String)> {
    let (at, id) = s.split_once(':')?;
    Some((at.parse().ok()?, id.to_string()))
}

pub fn cursor_of(r: &ChangeRequestRow) -> String {
    format!("{}:{}", r.created_at, r.id)
}

/// Counts a user's open requests (pending, approved, executing).
pub async fn open_count(db: &Db, requester: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) AS n FROM change_requests WHERE requester = $1 \
         AND state IN ('pending', 'approved', 'executing')",
    )
    .bind(requester)
    .fetch_one(db.pool())
    .await
}

/// (requester, policy) of pending requests (newest first, at most `limit`): just what the
/// "waiting for me" count needs, on every page view.
pub async fn pending_reviewers(db: &Db, limit: i64) -> Result<Vec<(String, PolicySnapshot)>, sqlx::Error> {
    sqlx::query_as::<_, (String, String)>(
        "SELECT requester, policy FROM change_requests WHERE state = 'pending' \
         ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|(requester, policy)| {
        let policy = serde_json::from_str(&policy).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok((requester, policy))
    })
    .collect()
}

/// Ids of requests whose review window has passed while still pending.
pub async fn expire_due(db: &Db, now: i64) -> Result<Vec<String>, sqlx::Error> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM change_requests WHERE state = 'pending' AND expires_at <= $1")
            .bind(now)
            .fetch_all(db.pool())
            .await?;
    let mut expired = Vec::new();
    for id in ids {
        if transition(db, &id, ChangeState::Pending, ChangeState::Expired).await? {
            expired.push(id);
        }
    }
    Ok(expired)
}

// ---- execution bookkeeping (used by the executor) ----

/// Takes (or renews) the lease on a request that is approved or executing; true if this
/// replica now holds it. A lease held by another replica is respected until it runs out.
pub async fn claim(db: &Db, id: &str, owner: &str, lease_ms: i64) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE change_requests SET lease_owner = $1, lease_until = $2 \
         WHERE id = $3 AND state IN ('approved', 'executing') AND (lease_until < $4 OR lease_owner = $1)",
    )
    .bind(owner)
    .bind(now + lease_ms)
    .bind(id)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn release(db: &Db, id: &str, owner: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE change_requests SET lease_owner = '', lease_until = 0 WHERE id = $1 AND lease_owner = $2",
    )
    .bind(id)
    .bind(owner)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// What came of trying to move a request from approved to executing.
#[derive(Debug, PartialEq, Eq)]
pub enum Start {
    /// This replica moved it: it may now send the call.
    Started,
    /// Someone else moved it first (or the lease was lost): nothing to do.
    Lost,
    /// Another request for the same daemon has a call whose outcome is not yet recorded
    /// (the `change_requests_one_call_per_daemon` index): wait for it.
    DaemonBusy,
}

/// approved → executing, written BEFORE the ECS call (under the lease).
pub async fn start_executing(db: &Db, id: &str, owner: &str) -> Result<Start, sqlx::Error> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE change_requests SET state = 'executing', executed_at = $1, updated_at = $1, attempts = attempts + 1 \
         WHERE id = $2 AND state = 'approved' AND lease_owner = $3",
    )
    .bind(now)
    .bind(id)
    .bind(owner)
    .execute(db.pool())
    .await;
    match done {
        Ok(d) if d.rows_affected() == 1 => Ok(Start::Started),
        Ok(_) => Ok(Start::Lost),
        Err(e) if is_unique_violation(&e) => Ok(Start::DaemonBusy),
        Err(e) => Err(e),
    }
}

pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Records the daemon's newest deployment before the call, once, under the lease; true if
/// this call recorded it.
pub async fn set_baseline(db: &Db, id: &str, owner: &str, arn: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE change_requests SET baseline_deployment_arn = $1, updated_at = $2 \
         WHERE id = $3 AND state = 'executing' AND lease_owner = $4 AND baseline_deployment_arn IS NULL",
    )
    .bind(arn)
    .bind(now_ms())
    .bind(id)
    .bind(owner)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What came of recording a deployment ARN on a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    Claimed,
    /// Another request holds this ARN (the `change_requests_one_claim` index).
    TakenByAnother,
    /// The request has an ARN already, or is no longer executing.
    NotExecuting,
}

/// Records the deployment the ECS call started, written AFTER the call. One deployment ARN
/// belongs to at most one request: the database refuses a second claimant.
pub async fn set_deployment(db: &Db, id: &str, arn: &str) -> Result<Claim, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE change_requests SET deployment_arn = $1, updated_at = $2 \
         WHERE id = $3 AND state = 'executing' AND deployment_arn IS NULL",
    )
    .bind(arn)
    .bind(now_ms())
    .bind(id)
    .execute(db.pool())
    .await;
    match done {
        Ok(d) if d.rows_affected() == 1 => Ok(Claim::Claimed),
        Ok(_) => Ok(Claim::NotExecuting),
        Err(e) if is_unique_violation(&e) => Ok(Claim::TakenByAnother),
        Err(e) => Err(e),
    }
}

/// The request that claims a deployment, if any.
pub async fn claimed_by(db: &Db, arn: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM change_requests WHERE deployment_arn = $1")
        .bind(arn)
        .fetch_optional(db.pool())
        .await
}

pub async fn set_progress(db: &Db, id: &str, percent: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE change_requests SET progress = $1 WHERE id = $2")
        .bind(percent)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// executing → a final state, with ECS's outcome.
pub async fn finish(db: &Db, id: &str, to: ChangeState, outcome: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE change_requests SET state = $1, outcome = $2, finished_at = $3, updated_at = $3, \
         lease_owner = '', lease_until = 0 WHERE id = $4 AND state = 'executing'",
    )
    .bind(to.as_str())
    .bind(outcome)
    .bind(now)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_override(db: &Db, id: &str, reason: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE change_requests SET override_reason = $1, updated_at = $2 WHERE id = $3 AND state = 'approved'")
        .bind(reason)
        .bind(now_ms())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Requests some replica should work on now: approved or executing, lease free or ours.
pub async fn workable(db: &Db, owner: &str, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM change_requests WHERE state IN ('approved', 'executing') \
         AND (lease_until < $1 OR lease_owner = $2) ORDER BY created_at LIMIT $3",
    )
    .bind(now_ms())
    .bind(owner)
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

pub async fn add_progress(
    db: &Db,
    id: &str,
    status: &str,
    percent: i64,
    on_target: i64,
    total: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO rollout_progress (request_id, at, status, percent, on_target, total) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(now_ms())
    .bind(status)
    .bind(percent)
    .bind(on_target)
    .bind(total)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The newest progress snapshot's (status, percent).
pub async fn last_progress(db: &Db, id: &str) -> Result<Option<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT status, percent FROM rollout_progress WHERE request_id = $1 ORDER BY at DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await
}
