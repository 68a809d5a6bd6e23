//! Daemon task definitions: register, list, describe, and which daemons use each revision.
//! Reads go through the ECS gateway (`ecs_paging`, the daemon reads in `daemons.rs`) and its
//! one cache on `EcsGateway`; registering invalidates it.

use std::collections::HashMap;

use crate::{
    api::task_definitions::{DaemonUse, RevisionSummary, TaskDefinitionRecord},
    domain::task_definition::{ContainerSpec, LogSpec, TaskDefinitionSpec},
};
use aws_sdk_ecs::types::{
    DaemonContainerDefinition, DaemonTaskDefinition, DaemonTaskDefinitionRevisionFilter,
    DaemonTaskDefinitionStatusFilter, SortOrder,
};

use super::ecs_paging::all_pages;
use super::{error::GatewayError, to_sdk, EcsGateway};

/// Upper bound on pages read when listing revisions, so a huge account cannot stall a page.
const MAX_REVISION_PAGES: usize = 50;
/// DescribeDaemon takes one ARN: this many at once for the usage view.
const CONCURRENT_DESCRIBES: usize = 8;

fn time(t: Option<&aws_sdk_ecs::primitives::DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(aws_sdk_ecs::primitives::DateTimeFormat::DateTime).ok())
}

/// The last segment of an ARN (`…/NAME`), or the string itself.
fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn summary(arn: &str, status: &str, registered_at: Option<String>) -> Option<RevisionSummary> {
    let (family, revision) = crate::api::task_definitions::family_and_revision(arn)?;
    Some(RevisionSummary {
        arn: arn.to_string(),
        family,
        revision,
        status: status.to_string(),
        registered_at,
    })
}

/// SDK → domain: what ECS stored, in the portal's terms (CPU units, MiB, awslogs). ECS names
/// families by the portal's rule, so a family it refuses means a broken answer.
fn from_sdk(td: &DaemonTaskDefinition) -> Result<TaskDefinitionSpec, GatewayError> {
    let units = |s: Option<&str>| s.and_then(|s| s.trim().parse::<u32>().ok());
    let family = crate::domain::names::ResourceName::parse("family", td.family().unwrap_or_default())
        .map_err(|e| {
            GatewayError::Unexpected(format!("ECS described a daemon task definition badly: {e}"))
        })?;
    Ok(TaskDefinitionSpec {
        family,
        task_role_arn: td.task_role_arn().map(str::to_string),
        execution_role_arn: td.execution_role_arn().map(str::to_string),
        cpu: units(td.cpu()),
        memory: units(td.memory()),
        containers: td.container_definitions().iter().map(container_from_sdk).collect(),
    })
}

fn container_from_sdk(c: &DaemonContainerDefinition) -> ContainerSpec {
    let logs = c.log_configuration().filter(|l| l.log_driver().as_str() == "awslogs").map(|l| {
        let opt = |k: &str| l.options().and_then(|o| o.get(k)).cloned().unwrap_or_default();
        LogSpec {
            group: opt("awslogs-group"),
            region: opt("awslogs-region"),
            stream_prefix: opt("awslogs-stream-prefix"),
            create_group: opt("awslogs-create-group") == "true",
        }
    });
    ContainerSpec {
        name: c.name().unwrap_or_default().to_string(),
        image: c.image().to_string(),
        essential: c.essential().unwrap_or(true),
        cpu: c.cpu().max(0) as u32,
        memory: c.memory().or(c.memory_reservation()).unwrap_or(0).max(0) as u32,
        environment: c
            .environment()
            .iter()
            .map(|kv| (kv.name().unwrap_or_default().to_string(), kv.value().unwrap_or_default().to_string()))
            .collect(),
        logs,
    }
}

impl EcsGateway {
    pub fn configured_roles(&self) -> Vec<String> {
        self.roles.clone()
    }

    pub fn region(&self) -> String {
        self.ecs.region.clone()
    }

    pub async fn role_scope(&self) -> Option<crate::domain::role_arn::RoleScope> {
        use crate::domain::role_arn::RoleScope;
        // The account of the clusters the portal manages; else that of a configured role ARN.
        let clusters = self.cluster_summaries(None).await.unwrap_or_default();
        clusters
            .iter()
            .find_map(|c| RoleScope::from_arn(&c.arn))
            .or_else(|| self.roles.iter().find_map(|r| RoleScope::from_arn(r)))
    }

    pub async fn register_task_definition(
        &self,
        spec: TaskDefinitionSpec,
        allowed: &[String],
    ) -> Result<String, GatewayError> {
        use crate::domain::role_allowlist::{refusal_message, refused};
        // ECS takes a role's name too; the portal registers the ARN it stands for.
        let scope = if spec.has_role_names() { self.role_scope().await } else { None };
        let spec = spec.with_expanded_roles(scope.as_ref()).map_err(GatewayError::Invalid)?;
        let mut errors = crate::domain::FieldErrors::new();
        for (field, role) in
            [("task_role", &spec.task_role_arn), ("execution_role", &spec.execution_role_arn)]
        {
            if let Some(role) = role.as_deref().filter(|r| !refused(&[r], allowed).is_empty()) {
                errors.add(field, refusal_message(role));
            }
        }
        if !errors.is_empty() {
            return Err(GatewayError::Invalid(errors));
        }
        let out = to_sdk::register(&self.ecs.client, &spec)?.send().await?;
        // A new revision belongs to no cluster: drop every cluster's live state (the deploy
        // form's families, usage) rather than guess what shows it.
        self.cache.invalidate_cluster("");
        out.daemon_task_definition_arn
            .ok_or_else(|| GatewayError::Unexpected("ECS returned no daemon task definition ARN".into()))
    }

    pub async fn list_task_definition_families(
        &self,
        family_prefix: Option<String>,
        next_token: Option<String>,
        page_size: i32,
    ) -> Result<(Vec<RevisionSummary>, Option<String>), GatewayError> {
        let out = self
            .ecs
            .client
            .list_daemon_task_definitions()
            .set_family_prefix(family_prefix)
            .revision(DaemonTaskDefinitionRevisionFilter::LastRegistered)
            .status(DaemonTaskDefinitionStatusFilter::Active)
            .sort(SortOrder::Asc)
            .max_results(page_size)
            .set_next_token(next_token)
            .send()
            .await?;
        let rows = out
            .daemon_task_definitions()
            .iter()
            .filter_map(|s| {
                summary(s.arn()?, s.status().map(|s| s.as_str()).unwrap_or("ACTIVE"), time(s.registered_at()))
            })
            .collect();
        Ok((rows, out.next_token().map(str::to_string)))
    }

    pub async fn list_task_definition_revisions(
        &self,
        family: Option<String>,
        family_prefix: Option<String>,
        until_family: Option<String>,
        all_statuses: bool,
    ) -> Result<Vec<RevisionSummary>, GatewayError> {
        let status = if all_statuses {
            DaemonTaskDefinitionStatusFilter::All
        } else {
            DaemonTaskDefinitionStatusFilter::Active
        };
        let until_family = until_family.as_deref();
        let mut rows = all_pages(MAX_REVISION_PAGES, |token| {
            let (family, family_prefix, status) = (family.clone(), family_prefix.clone(), status.clone());
            async move {
                let out = self
                    .ecs
                    .client
                    .list_daemon_task_definitions()
                    .set_family(family)
                    .set_family_prefix(family_prefix)
                    .status(status)
                    .sort(SortOrder::Asc)
                    .max_results(100)
                    .set_next_token(token)
                    .send()
                    .await?;
                let mut rows = Vec::new();
                for s in out.daemon_task_definitions() {
                    let Some(r) = s.arn().and_then(|arn| {
                        summary(arn, s.status().map(|s| s.as_str()).unwrap_or(""), time(s.registered_at()))
                    }) else {
                        continue;
                    };
                    // Sorted by family: past the last wanted family, stop listing.
                    if until_family.is_some_and(|u| r.family.as_str() > u) {
                        return Ok((rows, None));
                    }
                    rows.push(r);
                }
                Ok((rows, out.next_token().map(str::to_string)))
            }
        })
        .await?;
        rows.sort_by(|a, b| (a.family.as_str(), a.revision).cmp(&(b.family.as_str(), b.revision)));
        Ok(rows)
    }

    pub async fn describe_task_definition(
        &self,
        family: &str,
        revision: u32,
    ) -> Result<TaskDefinitionRecord, GatewayError> {
        let out = self
            .ecs
            .client
            .describe_daemon_task_definition()
            .daemon_task_definition(format!("{family}:{revision}"))
            .send()
            .await?;
        let td = out.daemon_task_definition().ok_or_else(|| {
            GatewayError::NotFound(format!("Daemon task definition {family}:{revision} does not exist."))
        })?;
        Ok(TaskDefinitionRecord {
            arn: td.daemon_task_definition_arn().unwrap_or_default().to_string(),
            family: td.family().unwrap_or(family).to_string(),
            revision: u32::try_from(td.revision()).unwrap_or(revision),
            status: td.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
            registered_at: time(td.registered_at()),
            spec: from_sdk(td)?,
        })
    }

    /// Every cluster's daemons (ListDaemons, DescribeDaemon) and their revisions'
    /// task definitions (DescribeDaemonRevisions, 20 at a time, each revision once ever), all
    /// through the gateway's cache.
    pub async fn task_definition_usage(&self) -> Result<HashMap<String, Vec<DaemonUse>>, GatewayError> {
        let mut daemon_arns = Vec::new();
        for cluster in self.cluster_summaries(None).await? {
            daemon_arns.extend(self.daemon_arns(&cluster.name).await?);
        }
        // (daemon ARN, status, current revision ARNs)
        let mut described: Vec<(String, String, Vec<String>)> = Vec::new();
        for chunk in daemon_arns.chunks(CONCURRENT_DESCRIBES) {
            let calls = chunk.iter().map(|arn| self.describe_daemon(arn));
            for d in futures::future::join_all(calls).await {
                let Some(d) = d? else { continue };
                described.push((
                    d.daemon_arn().unwrap_or_default().to_string(),
                    d.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                    d.current_revisions().iter().filter_map(|r| r.arn().map(str::to_string)).collect(),
                ));
            }
        }
        let revisions =
            self.revisions(described.iter().flat_map(|(_, _, revs)| revs.iter().cloned()).collect()).await?;

        let mut usage: HashMap<String, Vec<DaemonUse>> = HashMap::new();
        for (daemon_arn, status, revs) in &described {
            // …:daemon/CLUSTER/NAME
            let mut parts = daemon_arn.rsplit('/');
            let name = parts.next().unwrap_or(daemon_arn).to_string();
            let cluster = parts.next().unwrap_or("").to_string();
            let mut tds: Vec<&String> =
                revs.iter().filter_map(|r| revisions.get(r)?.daemon_task_definition_arn.as_ref()).collect();
            tds.sort();
            tds.dedup();
            for td in tds {
                usage.entry(td.clone()).or_default().push(DaemonUse {
                    daemon_arn: daemon_arn.clone(),
                    daemon_name: name.clone(),
                    cluster: last_segment(&cluster).to_string(),
                    status: status.clone(),
                    task_definition_arn: td.clone(),
                });
            }
        }
        for v in usage.values_mut() {
            v.sort_by(|a, b| (&a.cluster, &a.daemon_name).cmp(&(&b.cluster, &b.daemon_name)));
        }
        Ok(usage)
    }
}
