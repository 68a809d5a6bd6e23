use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
    time::{Duration, Instant},
};

use app::{
    api::{
        task_definitions::{DaemonUse, RevisionSummary, TaskDefinitionRecord},
        PortalError,
    },
    backend::TaskDefinitionsBackend,
    domain::task_definition::{ContainerSpec, LogSpec, TaskDefinitionSpec},
};
use aws_sdk_ecs::types::{
    DaemonContainerDefinition, DaemonTaskDefinition, DaemonTaskDefinitionRevisionFilter,
    DaemonTaskDefinitionStatusFilter, SortOrder,
};

use crate::{ecs::to_sdk, ecs_error::ecs_error, state::AppState};

/// DescribeDaemonRevisions takes at most this many ARNs.
const REVISIONS_PER_CALL: usize = 20;
/// How long a DescribeDaemon answer is reused while the daemon's `updatedAt` is unchanged.
const DAEMON_CACHE_TTL: Duration = Duration::from_secs(10);
/// Upper bound on pages read when listing revisions, so a huge account cannot stall a page.
const MAX_REVISION_PAGES: usize = 50;

/// Daemon revisions never change: (ECS endpoint, daemon revision ARN) → task definition ARN.
static REVISION_TASK_DEFINITIONS: LazyLock<Mutex<HashMap<(String, String), String>>> =
    LazyLock::new(Default::default);

/// Recent DescribeDaemon answers: (endpoint, daemon ARN) → (fetched, updatedAt, status, revision ARNs).
type DaemonEntry = (Instant, String, String, Vec<String>);
static DAEMONS: LazyLock<Mutex<HashMap<(String, String), DaemonEntry>>> = LazyLock::new(Default::default);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl AppState {
    /// Identifies the ECS endpoint in the caches (tests run several emulators in one process).
    fn ecs_key(&self) -> String {
        self.ecs.sim_endpoint.clone().unwrap_or_else(|| format!("aws:{}", self.ecs.region))
    }
}

fn time(t: Option<&aws_sdk_ecs::primitives::DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(aws_sdk_ecs::primitives::DateTimeFormat::DateTime).ok())
}

/// The last segment of an ARN (`…/NAME`), or the string itself.
fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn summary(arn: &str, status: &str, registered_at: Option<String>) -> Option<RevisionSummary> {
    let (family, revision) = app::api::task_definitions::family_and_revision(arn)?;
    Some(RevisionSummary {
        arn: arn.to_string(),
        family,
        revision,
        status: status.to_string(),
        registered_at,
    })
}

/// SDK → domain: what ECS stored, in the portal's terms (CPU units, MiB, awslogs).
fn from_sdk(td: &DaemonTaskDefinition) -> TaskDefinitionSpec {
    let units = |s: Option<&str>| s.and_then(|s| s.trim().parse::<u32>().ok());
    TaskDefinitionSpec {
        family: td.family().unwrap_or_default().to_string(),
        task_role_arn: td.task_role_arn().map(str::to_string),
        execution_role_arn: td.execution_role_arn().map(str::to_string),
        cpu: units(td.cpu()),
        memory: units(td.memory()),
        containers: td.container_definitions().iter().map(container_from_sdk).collect(),
    }
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

#[async_trait::async_trait]
impl TaskDefinitionsBackend for AppState {
    fn configured_roles(&self) -> Vec<String> {
        self.roles.clone()
    }

    fn region(&self) -> String {
        self.ecs.region.clone()
    }

    async fn role_scope(&self) -> Option<app::domain::role_arn::RoleScope> {
        use app::domain::role_arn::RoleScope;
        // The account of the clusters the portal manages; else that of a configured role ARN.
        let clusters = self.cluster_summaries(None).await.unwrap_or_default();
        clusters
            .iter()
            .find_map(|c| RoleScope::from_arn(&c.arn))
            .or_else(|| self.roles.iter().find_map(|r| RoleScope::from_arn(r)))
    }

    async fn register_task_definition(
        &self,
        user: &app::auth::CurrentUser,
        spec: TaskDefinitionSpec,
    ) -> Result<String, PortalError> {
        use app::backend::RoleAllowlistBackend;
        use app::domain::role_allowlist::{refusal_message, refused};
        // ECS takes a role's name too; the portal registers the ARN it stands for.
        let scope = if spec.has_role_names() { self.role_scope().await } else { None };
        let spec = spec.with_expanded_roles(scope.as_ref()).map_err(PortalError::Invalid)?;
        let allowed = self.allowed_roles(user).await?;
        let mut errors = app::domain::FieldErrors::new();
        for (field, role) in
            [("task_role", &spec.task_role_arn), ("execution_role", &spec.execution_role_arn)]
        {
            if let Some(role) = role.as_deref().filter(|r| !refused(&[r], &allowed).is_empty()) {
                errors.add(field, refusal_message(role));
            }
        }
        if !errors.is_empty() {
            return Err(PortalError::Invalid(errors));
        }
        let out = self
            .ecs
            .client
            .register_daemon_task_definition()
            .family(&spec.family)
            .set_task_role_arn(spec.task_role_arn.clone())
            .set_execution_role_arn(spec.execution_role_arn.clone())
            .set_cpu(spec.cpu.map(|c| c.to_string()))
            .set_memory(spec.memory.map(|m| m.to_string()))
            .set_container_definitions(Some(
                spec.containers.iter().map(to_sdk::container).collect::<Result<Vec<_>, _>>()?,
            ))
            .send()
            .await
            .map_err(ecs_error)?;
        out.daemon_task_definition_arn
            .ok_or_else(|| PortalError::Internal("ECS returned no daemon task definition ARN".into()))
    }

    async fn list_task_definition_families(
        &self,
        family_prefix: Option<String>,
        next_token: Option<String>,
        page_size: i32,
    ) -> Result<(Vec<RevisionSummary>, Option<String>), PortalError> {
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
            .await
            .map_err(ecs_error)?;
        let rows = out
            .daemon_task_definitions()
            .iter()
            .filter_map(|s| {
                summary(s.arn()?, s.status().map(|s| s.as_str()).unwrap_or("ACTIVE"), time(s.registered_at()))
            })
            .collect();
        Ok((rows, out.next_token().map(str::to_string)))
    }

    async fn list_task_definition_revisions(
        &self,
        family: Option<String>,
        family_prefix: Option<String>,
        until_family: Option<String>,
        all_statuses: bool,
    ) -> Result<Vec<RevisionSummary>, PortalError> {
        let status = if all_statuses {
            DaemonTaskDefinitionStatusFilter::All
        } else {
            DaemonTaskDefinitionStatusFilter::Active
        };
        let mut rows = Vec::new();
        let mut token = None;
        for _ in 0..MAX_REVISION_PAGES {
            let out = self
                .ecs
                .client
                .list_daemon_task_definitions()
                .set_family(family.clone())
                .set_family_prefix(family_prefix.clone())
                .status(status.clone())
                .sort(SortOrder::Asc)
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .map_err(ecs_error)?;
            let mut past_end = false;
            for s in out.daemon_task_definitions() {
                let Some(r) = s.arn().and_then(|arn| {
                    summary(arn, s.status().map(|s| s.as_str()).unwrap_or(""), time(s.registered_at()))
                }) else {
                    continue;
                };
                if until_family.as_ref().is_some_and(|u| r.family.as_str() > u.as_str()) {
                    past_end = true;
                    break;
                }
                rows.push(r);
            }
            token = out.next_token().map(str::to_string);
            if past_end || token.is_none() {
                break;
            }
        }
        rows.sort_by(|a, b| (a.family.as_str(), a.revision).cmp(&(b.family.as_str(), b.revision)));
        Ok(rows)
    }

    async fn describe_task_definition(
        &self,
        family: &str,
        revision: u32,
    ) -> Result<TaskDefinitionRecord, PortalError> {
        let out = self
            .ecs
            .client
            .describe_daemon_task_definition()
            .daemon_task_definition(format!("{family}:{revision}"))
            .send()
            .await
            .map_err(ecs_error)?;
        let td = out.daemon_task_definition().ok_or_else(|| {
            PortalError::NotFound(format!("Daemon task definition {family}:{revision} does not exist."))
        })?;
        Ok(TaskDefinitionRecord {
            arn: td.daemon_task_definition_arn().unwrap_or_default().to_string(),
            family: td.family().unwrap_or(family).to_string(),
            revision: u32::try_from(td.revision()).unwrap_or(revision),
            status: td.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
            registered_at: time(td.registered_at()),
            spec: from_sdk(td),
        })
    }

    /// ListClusters, ListDaemons per cluster, DescribeDaemon per daemon whose `updatedAt`
    /// changed (answers reused for a few seconds), DescribeDaemonRevisions 20 at a time for
    /// revisions not seen before (they never change).
    async fn task_definition_usage(&self) -> Result<HashMap<String, Vec<DaemonUse>>, PortalError> {
        let client = &self.ecs.client;
        let key = self.ecs_key();
        let mut clusters = Vec::new();
        let mut token = None;
        loop {
            let out = client.list_clusters().set_next_token(token).send().await.map_err(ecs_error)?;
            clusters.extend(out.cluster_arns().iter().cloned());
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        // (daemon ARN, updatedAt)
        let mut daemons: Vec<(String, String)> = Vec::new();
        for cluster in &clusters {
            let mut token = None;
            loop {
                let out = client
                    .list_daemons()
                    .cluster_arn(cluster)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(ecs_error)?;
                for d in out.daemon_summaries_list() {
                    if let Some(arn) = d.daemon_arn() {
                        daemons.push((arn.to_string(), time(d.updated_at()).unwrap_or_default()));
                    }
                }
                token = out.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
        }

        // DescribeDaemon for the daemons not in the cache, a few at a time.
        let mut described: HashMap<String, (String, Vec<String>)> = HashMap::new();
        let mut missing = Vec::new();
        {
            let cache = lock(&DAEMONS);
            for (arn, updated) in &daemons {
                match cache.get(&(key.clone(), arn.clone())) {
                    Some((at, u, status, revs)) if u == updated && at.elapsed() < DAEMON_CACHE_TTL => {
                        described.insert(arn.clone(), (status.clone(), revs.clone()));
                    }
                    _ => missing.push((arn.clone(), updated.clone())),
                }
            }
        }
        for chunk in missing.chunks(8) {
            let mut set = tokio::task::JoinSet::new();
            for (arn, updated) in chunk.iter().cloned() {
                let client = client.clone();
                set.spawn(async move {
                    let out = client.describe_daemon().daemon_arn(&arn).send().await.map_err(ecs_error)?;
                    let (status, revs) = out
                        .daemon()
                        .map(|d| {
                            (
                                d.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                                d.current_revisions()
                                    .iter()
                                    .filter_map(|r| r.arn().map(str::to_string))
                                    .collect(),
                            )
                        })
                        .unwrap_or_default();
                    Ok::<_, PortalError>((arn, updated, status, revs))
                });
            }
            while let Some(res) = set.join_next().await {
                let (arn, updated, status, revs): (String, String, String, Vec<String>) =
                    res.map_err(|e| PortalError::Internal(e.to_string()))??;
                lock(&DAEMONS).insert(
                    (key.clone(), arn.clone()),
                    (Instant::now(), updated, status.clone(), revs.clone()),
                );
                described.insert(arn, (status, revs));
            }
        }

        // Daemon revision → task definition, 20 revisions per call, each revision once ever.
        let mut unknown: Vec<String> = {
            let cache = lock(&REVISION_TASK_DEFINITIONS);
            described
                .values()
                .flat_map(|(_, revs)| revs.iter())
                .filter(|r| !cache.contains_key(&(key.clone(), (*r).clone())))
                .cloned()
                .collect()
        };
        unknown.sort();
        unknown.dedup();
        for chunk in unknown.chunks(REVISIONS_PER_CALL) {
            let out = client
                .describe_daemon_revisions()
                .set_daemon_revision_arns(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(ecs_error)?;
            let mut cache = lock(&REVISION_TASK_DEFINITIONS);
            for r in out.daemon_revisions() {
                if let (Some(rev), Some(td)) = (r.daemon_revision_arn(), r.daemon_task_definition_arn()) {
                    cache.insert((key.clone(), rev.to_string()), td.to_string());
                }
            }
        }

        let cache = lock(&REVISION_TASK_DEFINITIONS);
        let mut usage: HashMap<String, Vec<DaemonUse>> = HashMap::new();
        for (daemon_arn, (status, revs)) in &described {
            // …:daemon/CLUSTER/NAME
            let mut parts = daemon_arn.rsplit('/');
            let name = parts.next().unwrap_or(daemon_arn).to_string();
            let cluster = parts.next().unwrap_or("").to_string();
            let mut tds: Vec<&String> =
                revs.iter().filter_map(|r| cache.get(&(key.clone(), r.clone()))).collect();
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
