//! The `/_sim/` control API for tests and demos (plain JSON, no auth).
//!
//! Calls about one world (scale, tasks, alarms, images, state) take
//! `?account=` (id or name) and `?region=`; both default to the default
//! account's default region, the only world before accounts, so callers from
//! then reach the same world. The clock, faults, reset and request log are global.

use crate::protocol::Faults;
use crate::state::{InstanceStatus, TaskKind};
use crate::{arn, Scope, SimState, WorldSpec};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<SimState> {
    Router::new()
        .route("/_sim/health", get(|| async { Json(json!({"ok": true})) }))
        .route("/_sim/worlds", get(worlds))
        .route("/_sim/reset", post(reset))
        .route("/_sim/clock", get(clock))
        .route("/_sim/clock/advance", post(advance))
        .route("/_sim/providers/{cluster}/{provider}/scale", post(scale))
        .route("/_sim/tasks/stop", post(stop_task))
        .route("/_sim/alarms", get(alarms))
        .route("/_sim/alarms/{name}", post(set_alarm))
        .route("/_sim/images/fail", post(fail_image).get(failing_images).delete(clear_images))
        .route("/_sim/faults", post(set_faults).get(get_faults))
        .route("/_sim/state", get(snapshot))
        .route("/_sim/requests", get(requests).delete(clear_requests))
}

fn bad(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(json!({ "error": msg.into() }))).into_response()
}

/// Bodies are optional JSON; malformed JSON is a 400 rather than axum's 422.
fn body<T: for<'de> Deserialize<'de> + Default>(raw: &axum::body::Bytes) -> Result<T, Box<Response>> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(T::default());
    }
    serde_json::from_slice(raw)
        .map_err(|e| Box::new(bad(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}"))))
}

#[derive(Deserialize, Default)]
struct WorldQuery {
    account: Option<String>,
    region: Option<String>,
}

/// The world a call is about; an unknown account is a 404, a region nobody used yet an empty world.
fn scope(sim: &SimState, q: &WorldQuery) -> Result<Scope, Box<Response>> {
    let account = match q.account.as_deref().filter(|a| !a.is_empty()) {
        None => arn::ACCOUNT.to_string(),
        Some(a) => sim.with_worlds(|w| w.iam.find_account(a).map(str::to_string)).ok_or_else(|| {
            Box::new(bad(StatusCode::NOT_FOUND, format!("no account {a} in the world file")))
        })?,
    };
    let region = q.region.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| arn::REGION.to_string());
    if !crate::world::valid_region(&region) {
        return Err(Box::new(bad(StatusCode::BAD_REQUEST, format!("invalid region {region:?}"))));
    }
    Ok(Scope::new(account, region))
}

/// Accounts (with their roles and access keys) and the worlds that exist.
async fn worlds(State(sim): State<SimState>) -> Response {
    let v = sim.with_worlds(|w| {
        let accounts: Vec<Value> = w
            .iam
            .accounts
            .values()
            .map(|a| {
                json!({
                    "id": a.id,
                    "name": a.name,
                    "roles": a.roles.iter().map(|(name, r)| json!({
                        "arn": format!("arn:aws:iam::{}:role/{name}", a.id),
                        "externalId": r.external_id,
                        "maxSessionSeconds": r.max_session_seconds,
                    })).collect::<Vec<_>>(),
                    "accessKeys": w.iam.access_keys.iter().filter(|(_, acc)| **acc == a.id).map(|(k, _)| k).collect::<Vec<_>>(),
                    "regions": w.worlds.values().filter(|st| st.scope.account == a.id).map(|st| json!({
                        "region": st.scope.region,
                        "clusters": st.clusters.keys().collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({ "defaultAccount": arn::ACCOUNT, "defaultRegion": arn::REGION, "accounts": accounts, "sessions": w.iam.sessions.len() })
    });
    Json(v).into_response()
}

#[derive(Deserialize, Default)]
struct ResetBody {
    world: Option<String>,
}

async fn reset(State(sim): State<SimState>, raw: axum::body::Bytes) -> Response {
    let b: ResetBody = match body(&raw) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let world: WorldSpec = match b.world {
        Some(w) => w.parse().unwrap_or_default(),
        None => sim.options().world.clone(),
    };
    match sim.reset(&world) {
        Ok(()) => Json(json!({ "ok": true, "world": world.to_string() })).into_response(),
        Err(e) => bad(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

async fn clock(State(sim): State<SimState>) -> Response {
    Json(json!({
        "now": sim.now(),
        "manual": sim.options().manual_clock,
        "speed": sim.options().speed,
    }))
    .into_response()
}

#[derive(Deserialize, Default)]
struct AdvanceBody {
    seconds: Option<f64>,
}

async fn advance(State(sim): State<SimState>, raw: axum::body::Bytes) -> Response {
    let b: AdvanceBody = match body(&raw) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let secs = b.seconds.unwrap_or(0.0);
    if !(0.0..=366.0 * 86400.0).contains(&secs) {
        return bad(StatusCode::BAD_REQUEST, "seconds must be between 0 and one year");
    }
    Json(json!({ "now": sim.advance(secs) })).into_response()
}

#[derive(Deserialize, Default)]
struct ScaleBody {
    desired: Option<u32>,
}

async fn scale(
    State(sim): State<SimState>,
    Query(q): Query<WorldQuery>,
    Path((cluster, provider)): Path<(String, String)>,
    raw: axum::body::Bytes,
) -> Response {
    let scope = match scope(&sim, &q) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let b: ScaleBody = match body(&raw) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let Some(desired) = b.desired.filter(|d| *d <= 100_000) else {
        return bad(StatusCode::BAD_REQUEST, "desired (0-100000) is required");
    };
    let ok = sim.with_world(&scope, |st| {
        match st.providers.get(&provider) {
            Some(p) if p.cluster == cluster => {}
            _ => return false,
        }
        st.scale_provider(&provider, desired)
    });
    sim.touch();
    if ok {
        Json(json!({ "ok": true, "desired": desired })).into_response()
    } else {
        bad(StatusCode::NOT_FOUND, format!("no capacity provider {provider} in cluster {cluster}"))
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct StopBody {
    task_arn: Option<String>,
    cluster: Option<String>,
    container_instance: Option<String>,
    daemon_name: Option<String>,
    reason: Option<String>,
}

async fn stop_task(
    State(sim): State<SimState>,
    Query(q): Query<WorldQuery>,
    raw: axum::body::Bytes,
) -> Response {
    let scope = match scope(&sim, &q) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let b: StopBody = match body(&raw) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let reason = b
        .reason
        .clone()
        .unwrap_or_else(|| "Essential container in task exited (stopped by ecs-sim control API)".into());
    let result = sim.with_world(&scope, |st| -> Result<String, String> {
        let task_id = if let Some(t) = &b.task_arn {
            arn::last_segment(t, "task").ok_or("invalid taskArn")?.to_string()
        } else {
            let cluster = b.cluster.clone().unwrap_or_else(|| "default".into());
            let cluster = arn::cluster_name(&cluster).ok_or("invalid cluster")?.to_string();
            let ci = b
                .container_instance
                .as_deref()
                .ok_or("taskArn or containerInstance + daemonName is required")?;
            let ci = arn::last_segment(ci, "container-instance").ok_or("invalid containerInstance")?;
            let name = b.daemon_name.as_deref().ok_or("daemonName is required")?;
            let daemon = st.scope.daemon(&cluster, arn::last_segment(name, "daemon").unwrap_or(name));
            let inst = st.instances.get(ci).ok_or("no such container instance")?;
            inst.slot(&daemon)
                .and_then(|s| s.task.clone())
                .ok_or("that daemon has no task on that instance")?
        };
        let task = st.tasks.get(&task_id).ok_or("no such task")?;
        if !task.is_live() {
            return Err("task is already stopped".into());
        }
        let is_daemon = matches!(task.kind, TaskKind::Daemon { .. });
        let arn = st.scope.task(&task.cluster, &task.id);
        if is_daemon {
            st.crash_daemon_task(&task_id, &reason);
        } else {
            st.finish_stop(&task_id, &reason, "EssentialContainerExited");
        }
        Ok(arn)
    });
    sim.touch();
    match result {
        Ok(arn) => Json(json!({ "ok": true, "taskArn": arn })).into_response(),
        Err(e) => bad(StatusCode::BAD_REQUEST, e),
    }
}

async fn alarms(State(sim): State<SimState>, Query(q): Query<WorldQuery>) -> Response {
    let scope = match scope(&sim, &q) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let list: Vec<Value> = sim.with_world(&scope, |st| {
        st.alarms
            .values()
            .map(|a| json!({ "name": a.name, "state": a.state, "updatedAt": a.updated_at as f64 / 1000.0 }))
            .collect()
    });
    Json(json!({ "alarms": list })).into_response()
}

#[derive(Deserialize, Default)]
struct AlarmBody {
    state: Option<String>,
}

async fn set_alarm(
    State(sim): State<SimState>,
    Query(q): Query<WorldQuery>,
    Path(name): Path<String>,
    raw: axum::body::Bytes,
) -> Response {
    let scope = match scope(&sim, &q) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let b: AlarmBody = match body(&raw) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let state = b.state.unwrap_or_default();
    if !["OK", "ALARM", "INSUFFICIENT_DATA"].contains(&state.as_str()) {
        return bad(StatusCode::BAD_REQUEST, "state must be OK, ALARM or INSUFFICIENT_DATA");
    }
    if name.is_empty() || name.len() > 255 {
        return bad(StatusCode::BAD_REQUEST, "alarm names are 1-255 characters");
    }
    sim.with_world(&scope, |st| st.set_alarm(&name, &state));
    sim.touch();
    Json(json!({ "ok": true, "name": name, "state": state })).into_response()
}

#[derive(Deserialize, Default)]
struct ImageBody {
    pattern: Option<String>,
    /// `false` removes the pattern again.
    fail: Option<bool>,
}

async fn fail_image(
    State(sim): State<SimState>,
    Query(q): Query<WorldQuery>,
    raw: axum::body::Bytes,
) -> Response {
    let scope = match scope(&sim, &q) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let b: ImageBody = match body(&raw) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let Some(pattern) = b.pattern.filter(|p| !p.is_empty()) else {
        return bad(StatusCode::BAD_REQUEST, "pattern is required (exact image name, or * wildcards)");
    };
    let patterns = sim.with_world(&scope, |st| {
        st.image_failures.retain(|p| p != &pattern);
        if b.fail.unwrap_or(true) {
            st.image_failures.push(pattern.clone());
        }
        st.image_failures.clone()
    });
    sim.touch();
    Json(json!({ "ok": true, "patterns": patterns })).into_response()
}

async fn failing_images(State(sim): State<SimState>, Query(q): Query<WorldQuery>) -> Response {
    let scope = match scope(&sim, &q) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let patterns = sim.with_world(&scope, |st| st.image_failures.clone());
    Json(json!({ "patterns": patterns })).into_response()
}

async fn clear_images(State(sim): State<SimState>, Query(q): Query<WorldQuery>) -> Response {
    let scope = match scope(&sim, &q) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    sim.with_world(&scope, |st| st.image_failures.clear());
    sim.touch();
    Json(json!({ "ok": true })).into_response()
}

async fn set_faults(State(sim): State<SimState>, raw: axum::body::Bytes) -> Response {
    let f: Faults = match body(&raw) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let rate_ok = |r: f64| (0.0..=1.0).contains(&r);
    if !rate_ok(f.throttle_rate)
        || !rate_ok(f.server_error_rate)
        || !rate_ok(f.lost_response_rate)
        || f.throttle_rate + f.server_error_rate > 1.0
    {
        return bad(StatusCode::BAD_REQUEST, "rates must be between 0 and 1 and sum to at most 1");
    }
    if f.latency_ms > 60_000 {
        return bad(StatusCode::BAD_REQUEST, "latencyMs must be at most 60000");
    }
    sim.set_faults(f.clone());
    Json(json!({ "ok": true, "faults": f })).into_response()
}

async fn get_faults(State(sim): State<SimState>) -> Response {
    Json(json!({ "faults": sim.faults() })).into_response()
}

/// A readable snapshot: the world as the simulator sees it.
async fn snapshot(State(sim): State<SimState>, Query(q): Query<WorldQuery>) -> Response {
    let scope = match scope(&sim, &q) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let v = sim.with_world(&scope, |st| {
        let instances: Vec<Value> = st
            .providers
            .values()
            .flat_map(|p| p.instances.iter())
            .filter_map(|i| st.instances.get(i))
            .map(|i| {
                json!({
                    "containerInstanceArn": st.scope.container_instance(&i.cluster, &i.id),
                    "cluster": i.cluster,
                    "capacityProvider": i.provider,
                    "status": i.status.as_str(),
                    "replaces": i.replaces,
                    "daemons": i.slots.iter().map(|s| json!({
                        "daemonArn": s.daemon,
                        "revisionArn": st.revisions.get(&s.revision).map(|r| r.arn.clone()),
                        "state": format!("{:?}", s.state).to_uppercase(),
                        "taskArn": s.task.as_ref().map(|t| st.scope.task(&i.cluster, t)),
                        "reason": s.reason,
                    })).collect::<Vec<_>>(),
                    "appTasks": i.app_tasks.len(),
                })
            })
            .collect();
        let providers: Vec<Value> = st
            .providers
            .values()
            .map(|p| {
                let active = p
                    .instances
                    .iter()
                    .filter(|i| st.instances.get(*i).map(|x| x.status == InstanceStatus::Active).unwrap_or(false))
                    .count();
                json!({
                    "name": p.name, "cluster": p.cluster, "desired": p.desired,
                    "vcpu": p.vcpu, "memoryMiB": p.memory,
                    "instances": p.instances.len(), "activeInstances": active,
                    "daemons": p.daemons,
                })
            })
            .collect();
        let daemons: Vec<Value> = st
            .daemons
            .values()
            .map(|d| {
                json!({
                    "daemonArn": d.arn, "status": d.status.as_str(),
                    "targetRevisionArn": st.revisions.get(&d.target_revision).map(|r| r.arn.clone()),
                    "capacityProviders": d.providers,
                    "activeDeploymentArn": d.active_deployment.as_ref().and_then(|x| st.deployments.get(x)).map(|x| x.arn.clone()),
                })
            })
            .collect();
        let deployments: Vec<Value> = st
            .deployments
            .values()
            .map(|d| json!({ "arn": d.arn, "status": d.status.as_str(), "statusReason": d.status_reason, "failureCount": d.failure_count }))
            .collect();
        json!({
            "account": st.scope.account,
            "region": st.scope.region,
            "now": st.now as f64 / 1000.0,
            "clusters": st.clusters.keys().collect::<Vec<_>>(),
            "capacityProviders": providers,
            "containerInstances": instances,
            "daemons": daemons,
            "deployments": deployments,
            "alarms": st.alarms.values().map(|a| json!({"name": a.name, "state": a.state})).collect::<Vec<_>>(),
            "failingImages": st.image_failures,
            "pendingEvents": st.timers.len(),
            "tasks": st.tasks.len(),
        })
    });
    Json(v).into_response()
}

async fn requests(State(sim): State<SimState>) -> Response {
    Json(json!({ "requests": sim.requests() })).into_response()
}

async fn clear_requests(State(sim): State<SimState>) -> Response {
    sim.clear_requests();
    Json(json!({ "ok": true })).into_response()
}
