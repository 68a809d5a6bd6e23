//! DescribeDaemonRevisions, DescribeDaemonDeployments, ListDaemonDeployments.

use super::*;
use crate::arn;
use crate::model::input::{DescribeDaemonDeployments, DescribeDaemonRevisions, ListDaemonDeployments};
use crate::model::{output as out, ts};
use crate::state::{Deployment, DeploymentStatus, RevisionCounts};
use serde_json::{json, Value};

/// The id at the end of a revision or deployment ARN.
fn trailing_id<'a>(value: &'a str, kind: &str) -> Option<&'a str> {
    match arn::parse(value) {
        Some((k, segs)) if k == kind && segs.len() == 3 => Some(segs[2]),
        _ => None,
    }
}

pub fn describe_revisions(st: &mut State, req: DescribeDaemonRevisions) -> ApiResult<String> {
    let arns = require(req.daemon_revision_arns, "daemonRevisionArns")?;
    check_describe_count(arns.len(), "daemonRevisionArns", 20)?;
    let mut revisions = Vec::new();
    let mut failures = Vec::new();
    for a in &arns {
        match trailing_id(a, "daemon-revision").and_then(|id| st.revisions.get(id)) {
            Some(r) => revisions.push(out::DaemonRevision {
                daemon_revision_arn: r.arn.clone(),
                cluster_arn: st.scope.cluster(&r.cluster),
                daemon_arn: r.daemon_arn.clone(),
                daemon_task_definition_arn: r.task_definition_arn.clone(),
                created_at: ts(r.created_at),
                container_images: r
                    .images
                    .iter()
                    .map(|(n, i)| out::DaemonContainerImage {
                        container_name: n.clone(),
                        image_digest: arn::image_digest(i),
                        image: i.clone(),
                    })
                    .collect(),
                propagate_tags: r.propagate_tags.clone(),
                enable_ecs_managed_tags: r.managed_tags,
                enable_execute_command: r.exec,
                critical: r.critical,
            }),
            None => failures.push(missing(a)),
        }
    }
    reply(&json!({ "daemonRevisions": revisions, "failures": failures }))
}

fn revision_detail(
    st: &State,
    dep: &Deployment,
    rev: &str,
    counts: &RevisionCounts,
) -> Option<out::DaemonDeploymentRevisionDetail> {
    let r = st.revisions.get(rev)?;
    let per = counts.get(rev);
    let providers: Vec<out::DaemonDeploymentCapacityProvider> = dep
        .providers
        .iter()
        .map(|p| {
            let c = per.and_then(|m| m.get(p)).copied().unwrap_or_default();
            out::DaemonDeploymentCapacityProvider {
                arn: st.scope.capacity_provider(p),
                running_instance_count: c.running,
                without_daemon_instance_count: c.without,
                draining_instance_count: c.draining,
            }
        })
        .collect();
    Some(out::DaemonDeploymentRevisionDetail {
        arn: r.arn.clone(),
        total_running_instance_count: providers.iter().map(|p| p.running_instance_count).sum(),
        total_without_daemon_instance_count: providers.iter().map(|p| p.without_daemon_instance_count).sum(),
        total_draining_instance_count: providers.iter().map(|p| p.draining_instance_count).sum(),
        capacity_providers: providers,
    })
}

pub(crate) fn wire(st: &State, dep: &Deployment) -> out::DaemonDeployment {
    let counts = st.daemon_counts(&dep.daemon_arn, &dep.providers);
    let target = dep.target.as_ref().and_then(|t| revision_detail(st, dep, t, &counts));
    let sources = dep.sources.iter().filter_map(|s| revision_detail(st, dep, s, &counts)).collect();
    out::DaemonDeployment {
        daemon_deployment_arn: dep.arn.clone(),
        cluster_arn: st.scope.cluster(&dep.cluster),
        status: dep.status.as_str().into(),
        status_reason: dep.status_reason.clone(),
        target_daemon_revision: target,
        source_daemon_revisions: sources,
        circuit_breaker: out::DaemonCircuitBreaker {
            failure_count: dep.failure_count,
            status: dep.breaker_status.clone(),
            threshold: dep.threshold,
        },
        alarms: out::DaemonDeploymentAlarms {
            status: dep.alarm_status.clone(),
            alarm_names: dep.config.alarms.as_ref().map(|a| a.0.clone()).unwrap_or_default(),
            triggered_alarm_names: dep.triggered_alarms.clone(),
        },
        rollback: dep.rollback.as_ref().map(|r| out::DaemonRollback {
            reason: r.reason.clone(),
            started_at: ts(r.started_at),
            rollback_target_daemon_revision_arn: r
                .target
                .as_ref()
                .and_then(|t| st.revisions.get(t))
                .map(|x| x.arn.clone()),
            rollback_capacity_providers: r.providers.iter().map(|p| st.scope.capacity_provider(p)).collect(),
        }),
        deployment_configuration: out::DaemonDeploymentConfiguration {
            drain_percent: dep.config.drain_percent,
            alarms: dep.config.alarms.as_ref().map(|(names, enable)| out::DaemonAlarmConfiguration {
                alarm_names: names.clone(),
                enable: *enable,
            }),
            bake_time_in_minutes: dep.config.bake_minutes,
        },
        created_at: ts(dep.created_at),
        started_at: dep.started_at.map(ts),
        stopped_at: dep.stopped_at.map(ts),
        finished_at: dep.finished_at.map(ts),
    }
}

pub fn describe(st: &mut State, req: DescribeDaemonDeployments) -> ApiResult<String> {
    let arns = require(req.daemon_deployment_arns, "daemonDeploymentArns")?;
    check_describe_count(arns.len(), "daemonDeploymentArns", 20)?;
    let mut deployments = Vec::new();
    let mut failures = Vec::new();
    for a in &arns {
        match trailing_id(a, "daemon-deployment").and_then(|id| st.deployments.get(id)) {
            Some(d) => deployments.push(wire(st, d)),
            None => failures.push(missing(a)),
        }
    }
    reply(&json!({ "daemonDeployments": deployments, "failures": failures }))
}

pub fn list(st: &mut State, req: ListDaemonDeployments) -> ApiResult<String> {
    let r = require_str(req.daemon_arn, "daemonArn")?;
    let daemon_arn = super::daemons::resolve_daemon(st, &r)?;
    let size = page_size(req.max_results, 20)?;
    let after = seq_cursor(&req.next_token)?;
    let statuses: Option<Vec<DeploymentStatus>> = match req.status {
        Some(v) if !v.is_empty() => Some(
            v.iter()
                .map(|s| {
                    DeploymentStatus::parse(s)
                        .ok_or_else(|| ApiError::invalid(format!("Invalid deployment status '{s}'.")))
                })
                .collect::<ApiResult<_>>()?,
        ),
        _ => None,
    };
    let (before, after_ts) = req.created_at.map(|c| (c.before, c.after)).unwrap_or((None, None));
    // Newest first.
    let mut deps: Vec<&Deployment> = st
        .deployments
        .values()
        .filter(|d| d.daemon_arn == daemon_arn)
        .filter(|d| statuses.as_ref().is_none_or(|s| s.contains(&d.status)))
        .filter(|d| before.is_none_or(|b| ts(d.created_at) < b))
        .filter(|d| after_ts.is_none_or(|a| ts(d.created_at) > a))
        .filter(|d| after.is_none_or(|c| d.seq < c))
        .collect();
    deps.sort_by_key(|d| std::cmp::Reverse(d.seq));
    let next = (deps.len() > size).then(|| seq_token(deps[size - 1].seq));
    let items: Vec<out::DaemonDeploymentSummary> = deps
        .iter()
        .take(size)
        .map(|d| out::DaemonDeploymentSummary {
            daemon_deployment_arn: d.arn.clone(),
            daemon_arn: d.daemon_arn.clone(),
            cluster_arn: st.scope.cluster(&d.cluster),
            status: d.status.as_str().into(),
            status_reason: d.status_reason.clone(),
            target_daemon_revision_arn: d
                .target
                .as_ref()
                .and_then(|t| st.revisions.get(t))
                .map(|r| r.arn.clone()),
            created_at: ts(d.created_at),
            started_at: d.started_at.map(ts),
            stopped_at: d.stopped_at.map(ts),
            finished_at: d.finished_at.map(ts),
        })
        .collect();
    let mut resp = json!({ "daemonDeployments": items });
    if let Some(n) = next {
        resp["nextToken"] = Value::String(n);
    }
    reply(&resp)
}
