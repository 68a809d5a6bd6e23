//! Finding the deployment a request's own ECS call started, when the portal does not know
//! whether that call took effect: it crashed during the call or before writing the answer
//! down, or ECS answered with a 5xx or not at all.
//!
//! No clock is compared across hosts. Before the call, the executor records the daemon's
//! newest deployment as ECS lists it (the baseline). Afterwards, ECS's own ordering
//! (ListDaemonDeployments is newest first) says which deployments came later. One of those
//! is the request's own if it targets the request's task definition and capacity providers
//! (or, for a deletion, is a drain) and no other request has claimed it. Since at most one
//! request per daemon may have a call in doubt (`change_requests_one_call_per_daemon`), a
//! later matching deployment can only be this request's, or an identical change made outside
//! the portal, which leaves the fleet as the request wants it either way.

use std::collections::{BTreeSet, HashMap};

use super::error::ChangeError;
use aws_sdk_ecs::types::DaemonDeploymentSummary;

use super::ChangeEngine;
use super::{call::EcsCall, store};
use crate::services::{
    error::EcsFailure,
    gateway::ecs_paging::{all_pages, in_batches, DAEMON_BATCH, MAX_PAGES},
};

/// What ECS shows of a request's own call.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// This deployment came from the call (or is identical to it).
    Deployment(String),
    /// Nothing newer than the baseline matches: the call did not take effect.
    Nothing,
    /// The daemon no longer exists (a deletion's drain has finished).
    DaemonGone,
}

/// The daemon a call changes, when it changes an existing one.
pub fn daemon_of(call: &EcsCall) -> Option<&str> {
    match call {
        EcsCall::UpdateDaemon(u) => Some(&u.daemon_arn),
        EcsCall::DeleteDaemon(d) => Some(&d.daemon_arn),
        _ => None,
    }
}

/// The daemon's newest deployment as ECS lists it; "" when it has none or does not exist.
pub async fn newest_deployment(state: &ChangeEngine, daemon_arn: &str) -> Result<String, ChangeError> {
    let out =
        state.gateway.ecs.client.list_daemon_deployments().daemon_arn(daemon_arn).max_results(1).send().await;
    match out.map_err(EcsFailure::from) {
        Ok(o) => Ok(o
            .daemon_deployments
            .unwrap_or_default()
            .into_iter()
            .find_map(|d| d.daemon_deployment_arn)
            .unwrap_or_default()),
        Err(e) if e.is("DaemonNotFoundException") => Ok(String::new()),
        Err(e) => Err(e.into()),
    }
}

/// Of a newest-first list, the entries before `baseline`, oldest first. A baseline of ""
/// (the daemon had no deployment) or one ECS no longer lists makes every entry newer.
pub fn newer_than<'a>(newest_first: &'a [String], baseline: &str) -> Vec<&'a str> {
    let end = newest_first.iter().position(|a| a == baseline).unwrap_or(newest_first.len());
    newest_first[..end].iter().rev().map(String::as_str).collect()
}

/// Looks for the deployment the request's own call started.
pub async fn find_own(
    state: &ChangeEngine,
    request_id: &str,
    call: &EcsCall,
    baseline: &str,
) -> Result<Found, ChangeError> {
    let Some(daemon_arn) = daemon_of(call) else {
        return Ok(Found::Nothing);
    };
    let listed = match list_until(state, daemon_arn, baseline).await {
        Ok(l) => l,
        Err(e) if e.is("DaemonNotFoundException") => return Ok(Found::DaemonGone),
        Err(e) => return Err(e.into()),
    };
    let arns: Vec<String> = listed.iter().filter_map(|d| d.daemon_deployment_arn.clone()).collect();
    let mut candidates = Vec::new();
    for arn in newer_than(&arns, baseline) {
        match store::claimed_by(&state.db, arn).await? {
            Some(other) if other != request_id => continue,
            _ => candidates.push(arn.to_string()),
        }
    }
    if candidates.is_empty() {
        return Ok(Found::Nothing);
    }
    let wanted = match call {
        EcsCall::UpdateDaemon(u) => u,
        EcsCall::DeleteDaemon(_) => {
            // A deletion's drain deployment is the only kind without a target revision.
            let drains: Vec<&DaemonDeploymentSummary> =
                listed.iter().filter(|d| d.target_daemon_revision_arn.is_none()).collect();
            return Ok(candidates
                .into_iter()
                .find(|c| drains.iter().any(|d| d.daemon_deployment_arn.as_deref() == Some(c.as_str())))
                .map_or(Found::Nothing, Found::Deployment));
        }
        _ => return Ok(Found::Nothing),
    };
    let targets = targets(state, &candidates).await?;
    let want_providers = provider_names(&wanted.settings.capacity_provider_arns);
    Ok(candidates
        .into_iter()
        .find(|c| {
            targets.get(c).is_some_and(|(td, providers)| {
                td == &wanted.settings.daemon_task_definition_arn && providers == &want_providers
            })
        })
        .map_or(Found::Nothing, Found::Deployment))
}

/// ListDaemonDeployments, newest first, page by page until the baseline shows up.
async fn list_until(
    state: &ChangeEngine,
    daemon_arn: &str,
    baseline: &str,
) -> Result<Vec<DaemonDeploymentSummary>, EcsFailure> {
    let client = &state.gateway.ecs.client;
    all_pages(MAX_PAGES, |token| async move {
        let out = client
            .list_daemon_deployments()
            .daemon_arn(daemon_arn)
            .max_results(100)
            .set_next_token(token)
            .send()
            .await?;
        let page = out.daemon_deployments.unwrap_or_default();
        let reached =
            !baseline.is_empty() && page.iter().any(|d| d.daemon_deployment_arn.as_deref() == Some(baseline));
        Ok((page, if reached { None } else { out.next_token }))
    })
    .await
}

/// Each deployment's target: (task definition ARN, capacity provider names).
async fn targets(
    state: &ChangeEngine,
    deployments: &[String],
) -> Result<HashMap<String, (String, BTreeSet<String>)>, ChangeError> {
    let client = &state.gateway.ecs.client;
    let described = in_batches(deployments, DAEMON_BATCH, |chunk| async move {
        let out = client.describe_daemon_deployments().set_daemon_deployment_arns(Some(chunk)).send().await?;
        Ok(out.daemon_deployments.unwrap_or_default())
    })
    .await?;
    // (deployment, target revision, target providers)
    let by_revision: Vec<(String, String, BTreeSet<String>)> = described
        .into_iter()
        .filter_map(|d| {
            let target = d.target_daemon_revision?;
            let providers: Vec<String> =
                target.capacity_providers.unwrap_or_default().into_iter().filter_map(|p| p.arn).collect();
            Some((d.daemon_deployment_arn?, target.arn?, provider_names(&providers)))
        })
        .collect();
    let revisions: Vec<String> =
        by_revision.iter().map(|(_, r, _)| r.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let revisions = in_batches(&revisions, DAEMON_BATCH, |chunk| async move {
        let out = client.describe_daemon_revisions().set_daemon_revision_arns(Some(chunk)).send().await?;
        Ok(out.daemon_revisions.unwrap_or_default())
    })
    .await?;
    let task_definitions: HashMap<String, String> = revisions
        .into_iter()
        .filter_map(|r| Some((r.daemon_revision_arn?, r.daemon_task_definition_arn?)))
        .collect();
    Ok(by_revision
        .into_iter()
        .filter_map(|(dep, rev, providers)| {
            task_definitions.get(&rev).map(|td| (dep, (td.clone(), providers)))
        })
        .collect())
}

/// Capacity providers by name, whether given as names or ARNs (`…:capacity-provider/NAME`).
fn provider_names(refs: &[String]) -> BTreeSet<String> {
    refs.iter().map(|r| r.rsplit('/').next().unwrap_or(r).to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_deployments_listed_before_the_baseline_are_newer() {
        let l = list(&["d4", "d3", "d2", "d1"]);
        assert_eq!(newer_than(&l, "d2"), vec!["d3", "d4"]);
        assert_eq!(newer_than(&l, "d4"), Vec::<&str>::new());
        // No baseline (a daemon without deployments), or one ECS no longer lists: all newer.
        assert_eq!(newer_than(&l, ""), vec!["d1", "d2", "d3", "d4"]);
        assert_eq!(newer_than(&l, "d0"), vec!["d1", "d2", "d3", "d4"]);
    }

    #[test]
    fn providers_compare_by_name_whether_arn_or_name() {
        let a = provider_names(&list(&["arn:aws:ecs:us-east-1:1:capacity-provider/mi-a", "mi-b"]));
        let b = provider_names(&list(&["mi-b", "mi-a"]));
        assert_eq!(a, b);
        assert_ne!(a, provider_names(&list(&["mi-a"])));
    }
}
