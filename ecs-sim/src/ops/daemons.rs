//! Create/Update/Delete/Describe/ListDaemons.

use super::*;
use crate::arn;
use crate::model::input::{CreateDaemon, DaemonRef, DeploymentConfiguration, ListDaemons, UpdateDaemon};
use crate::model::{output as out, ts};
use crate::state::daemons::RevisionSpec;
use crate::state::{ClientTokenRecord, Daemon, DaemonStatus, DeployConfig};
use serde_json::{json, Value};

/// A daemon reference (full ARN, or a bare name in the default cluster) → its
/// ARN. An ARN naming an unknown cluster is `ClusterNotFoundException`.
pub(super) fn resolve_daemon(st: &State, reference: &str) -> ApiResult<String> {
    let (cluster, name) = if reference.starts_with("arn:") {
        match arn::parse(reference) {
            Some(("daemon", segs)) if segs.len() == 2 => (segs[0].to_string(), segs[1].to_string()),
            _ => return Err(ApiError::invalid(format!("Invalid daemon ARN: {reference}"))),
        }
    } else {
        ("default".to_string(), reference.to_string())
    };
    if !st.clusters.contains_key(&cluster) {
        return Err(ApiError::cluster_not_found());
    }
    let canonical = st.scope.daemon(&cluster, &name);
    if st.daemons.contains_key(&canonical) {
        Ok(canonical)
    } else {
        Err(ApiError::daemon_not_found(reference))
    }
}

/// Capacity provider names or ARNs → names, all in `cluster`.
fn resolve_providers(st: &State, cluster: &str, refs: &[String]) -> ApiResult<Vec<String>> {
    if refs.is_empty() {
        return Err(ApiError::invalid("capacityProviderArns must not be empty."));
    }
    let mut out = Vec::new();
    for r in refs {
        let name = arn::last_segment(r, "capacity-provider")
            .ok_or_else(|| ApiError::invalid(format!("Invalid capacity provider ARN: {r}")))?;
        match st.providers.get(name) {
            Some(p) if p.cluster == cluster => {
                if !out.contains(&p.name) {
                    out.push(p.name.clone());
                }
            }
            Some(_) => {
                return Err(ApiError::invalid(format!(
                    "Capacity provider {name} is not associated with cluster {cluster}."
                )))
            }
            None => return Err(ApiError::invalid(format!("Capacity provider {name} does not exist."))),
        }
    }
    Ok(out)
}

fn deploy_config(c: &Option<DeploymentConfiguration>) -> ApiResult<DeployConfig> {
    let mut out = DeployConfig::default();
    let Some(c) = c else {
        return Ok(out);
    };
    if let Some(p) = c.drain_percent {
        if !(0.0..=100.0).contains(&p) || p.is_nan() {
            return Err(ApiError::invalid(format!("drainPercent must be between 0 and 100 (got {p}).")));
        }
        out.drain_percent = p;
    }
    if let Some(b) = c.bake_time_in_minutes {
        if !(0..=1440).contains(&b) {
            return Err(ApiError::invalid(format!(
                "bakeTimeInMinutes must be between 0 and 1440 (got {b})."
            )));
        }
        out.bake_minutes = b as u32;
    }
    if let Some(a) = &c.alarms {
        let names = a.alarm_names.clone().unwrap_or_default();
        if names.iter().any(|n| n.is_empty() || n.len() > 255) {
            return Err(ApiError::invalid("Alarm names must be 1-255 characters."));
        }
        out.alarms = Some((names, a.enable.unwrap_or(false)));
    }
    Ok(out)
}

fn revision_spec(
    st: &State,
    td_ref: &str,
    propagate: &Option<String>,
    managed: Option<bool>,
    exec: Option<bool>,
    critical: Option<bool>,
) -> ApiResult<RevisionSpec> {
    check_enum(propagate, "propagateTags", &["DAEMON", "NONE"])?;
    let td = st
        .resolve_task_definition(td_ref)
        .ok_or_else(|| ApiError::client(format!("Daemon task definition {td_ref} does not exist.")))?;
    if td.status != "ACTIVE" {
        return Err(ApiError::client(format!(
            "Daemon task definition {} is {}; only ACTIVE definitions can be deployed.",
            td.arn(&st.scope),
            td.status
        )));
    }
    Ok(RevisionSpec {
        task_definition_arn: td.arn(&st.scope),
        propagate_tags: propagate.clone().unwrap_or_else(|| "NONE".into()),
        managed_tags: managed.unwrap_or(false),
        exec: exec.unwrap_or(false),
        critical: critical.unwrap_or(true),
    })
}

pub fn create(st: &mut State, req: CreateDaemon) -> ApiResult<String> {
    let name = require_str(req.daemon_name.clone(), "daemonName")?;
    check_name(&name, "daemonName")?;
    let td_ref = require_str(req.daemon_task_definition_arn.clone(), "daemonTaskDefinitionArn")?;
    let provider_refs = require(req.capacity_provider_arns.clone(), "capacityProviderArns")?;
    if let Some(t) = &req.client_token {
        if t.is_empty() || t.len() > 36 || !t.bytes().all(|b| (33..=126).contains(&b)) {
            return Err(ApiError::invalid("clientToken must be 1-36 printable ASCII characters."));
        }
    }
    let cluster = cluster_of(st, &req.cluster_arn)?;
    let fingerprint = {
        let mut r = req.clone();
        r.client_token = None;
        r.cluster_arn = Some(cluster.clone());
        serde_json::to_string(&r).unwrap_or_default()
    };
    if let Some(token) = &req.client_token {
        if let Some(rec) = st.client_tokens.get(token) {
            if rec.fingerprint != fingerprint {
                return Err(ApiError::invalid(format!(
                    "clientToken {token} was already used with different parameters."
                )));
            }
            let status = st.daemons.get(&rec.daemon_arn).map(|d| d.status.as_str()).unwrap_or("ACTIVE");
            return reply(&json!({
                "daemonArn": rec.daemon_arn,
                "status": status,
                "createdAt": ts(rec.created_at),
                "deploymentArn": rec.deployment_arn,
            }));
        }
    }
    let providers = resolve_providers(st, &cluster, &provider_refs)?;
    let config = deploy_config(&req.deployment_configuration)?;
    let tags = check_tags(&req.tags)?;
    let spec = revision_spec(
        st,
        &td_ref,
        &req.propagate_tags,
        req.enable_ecs_managed_tags,
        req.enable_execute_command,
        req.critical,
    )?;
    if st.daemons.contains_key(&st.scope.daemon(&cluster, &name)) {
        return Err(ApiError::invalid(format!("A daemon named {name} already exists in cluster {cluster}.")));
    }
    let (daemon_arn, dep) = st.create_daemon(&cluster, &name, &spec, providers, config, tags);
    let dep_arn = st.deployments[&dep].arn.clone();
    let created = st.daemons[&daemon_arn].created_at;
    if let Some(token) = req.client_token {
        st.client_tokens.insert(
            token,
            ClientTokenRecord {
                fingerprint,
                daemon_arn: daemon_arn.clone(),
                deployment_arn: dep_arn.clone(),
                created_at: created,
            },
        );
    }
    reply(&json!({
        "daemonArn": daemon_arn,
        "status": "ACTIVE",
        "createdAt": ts(created),
        "deploymentArn": dep_arn,
    }))
}

fn active_daemon<'a>(st: &'a State, reference: &Option<String>) -> ApiResult<&'a Daemon> {
    let r = require_str(reference.clone(), "daemonArn")?;
    let arn = resolve_daemon(st, &r)?;
    let d = &st.daemons[&arn];
    if d.status != DaemonStatus::Active {
        return Err(ApiError::new(
            "DaemonNotActiveException",
            format!("Daemon {} is {}; only ACTIVE daemons can be changed.", d.arn, d.status.as_str()),
        ));
    }
    Ok(d)
}

fn change_reply(st: &State, daemon_arn: &str, dep: &str) -> ApiResult<String> {
    let d = &st.daemons[daemon_arn];
    reply(&json!({
        "daemonArn": d.arn,
        "status": d.status.as_str(),
        "createdAt": ts(d.created_at),
        "updatedAt": ts(d.updated_at),
        "deploymentArn": st.deployments[dep].arn,
    }))
}

pub fn update(st: &mut State, req: UpdateDaemon) -> ApiResult<String> {
    let d = active_daemon(st, &req.daemon_arn)?;
    let (daemon_arn, cluster) = (d.arn.clone(), d.cluster.clone());
    let td_ref = require_str(req.daemon_task_definition_arn, "daemonTaskDefinitionArn")?;
    let provider_refs = require(req.capacity_provider_arns, "capacityProviderArns")?;
    let providers = resolve_providers(st, &cluster, &provider_refs)?;
    let config = deploy_config(&req.deployment_configuration)?;
    let spec = revision_spec(
        st,
        &td_ref,
        &req.propagate_tags,
        req.enable_ecs_managed_tags,
        req.enable_execute_command,
        req.critical,
    )?;
    let dep = st
        .update_daemon(&daemon_arn, &spec, providers, config)
        .ok_or_else(|| ApiError::daemon_not_found(&daemon_arn))?;
    change_reply(st, &daemon_arn, &dep)
}

pub fn delete(st: &mut State, req: DaemonRef) -> ApiResult<String> {
    let daemon_arn = active_daemon(st, &req.daemon_arn)?.arn.clone();
    let dep = st.delete_daemon(&daemon_arn).ok_or_else(|| ApiError::daemon_not_found(&daemon_arn))?;
    change_reply(st, &daemon_arn, &dep)
}

pub(super) fn detail(st: &State, d: &Daemon) -> out::DaemonDetail {
    let scope = st.daemon_scope(d);
    let counts = st.daemon_counts(&d.arn, &scope);
    let mut revs: Vec<&String> = counts.keys().collect();
    // Target first, then the others by age.
    revs.sort_by_key(|r| (**r != d.target_revision, st.revisions.get(*r).map(|x| x.created_at).unwrap_or(0)));
    if d.status == DaemonStatus::Active && !counts.contains_key(&d.target_revision) {
        revs.insert(0, &d.target_revision);
    }
    let current_revisions = revs
        .into_iter()
        .filter_map(|r| {
            let rev = st.revisions.get(r)?;
            let per = counts.get(r);
            let providers: Vec<out::DaemonCapacityProvider> = scope
                .iter()
                .filter_map(|p| {
                    let c = per.and_then(|m| m.get(p)).copied().unwrap_or_default();
                    let listed = d.providers.contains(p) || c.total() > 0;
                    listed.then(|| out::DaemonCapacityProvider {
                        arn: st.scope.capacity_provider(p),
                        running_count: c.running,
                        without_daemon_count: c.without,
                    })
                })
                .collect();
            Some(out::DaemonRevisionDetail {
                arn: rev.arn.clone(),
                total_running_count: providers.iter().map(|p| p.running_count).sum(),
                total_without_daemon_count: providers.iter().map(|p| p.without_daemon_count).sum(),
                capacity_providers: providers,
            })
        })
        .collect();
    out::DaemonDetail {
        daemon_arn: d.arn.clone(),
        cluster_arn: st.scope.cluster(&d.cluster),
        status: d.status.as_str().into(),
        current_revisions,
        deployment_arn: st.deployments.get(&d.deployment).map(|x| x.arn.clone()),
        created_at: ts(d.created_at),
        updated_at: ts(d.updated_at),
    }
}

pub fn describe(st: &mut State, req: DaemonRef) -> ApiResult<String> {
    let r = require_str(req.daemon_arn, "daemonArn")?;
    let arn = resolve_daemon(st, &r)?;
    reply(&json!({ "daemon": detail(st, &st.daemons[&arn]) }))
}

pub fn list(st: &mut State, req: ListDaemons) -> ApiResult<String> {
    let cluster = cluster_of(st, &req.cluster_arn)?;
    let size = page_size(req.max_results, 100)?;
    let after = seq_cursor(&req.next_token)?;
    let filter: Option<Vec<String>> = match &req.capacity_provider_arns {
        Some(v) if !v.is_empty() => Some(
            v.iter().filter_map(|r| arn::last_segment(r, "capacity-provider").map(str::to_string)).collect(),
        ),
        _ => None,
    };
    let c = &st.clusters[&cluster];
    let range = match after {
        Some(s) => c.daemons.range(s + 1..),
        None => c.daemons.range(..),
    };
    let mut items = Vec::new();
    let mut next = None;
    for (seq, a) in range {
        let Some(d) = st.daemons.get(a) else { continue };
        if let Some(f) = &filter {
            if !d.providers.iter().any(|p| f.contains(p)) {
                continue;
            }
        }
        if items.len() == size {
            next = Some(seq_token(seq - 1));
            break;
        }
        items.push(out::DaemonSummary {
            daemon_arn: d.arn.clone(),
            status: d.status.as_str().into(),
            created_at: ts(d.created_at),
            updated_at: ts(d.updated_at),
        });
    }
    let mut resp = json!({ "daemonSummariesList": items });
    if let Some(n) = next {
        resp["nextToken"] = Value::String(n);
    }
    reply(&resp)
}
