use std::collections::{BTreeMap, HashMap};

use crate::{
    api::daemons::*,
    domain::deployment::{DeployDraft, DeploySpec},
};
use aws_sdk_ecs::types::{
    DaemonDeployment, DaemonDeploymentRevisionDetail, DaemonPropagateTags, DaemonRevision,
};

use super::{cache::cluster_name, error::GatewayError, EcsGateway};
use super::{
    daemon_live,
    ecs_paging::{all_pages, in_batches, DAEMON_BATCH, MAX_PAGES},
    ecs_queries::short_name,
};
use crate::services::changes::call::{
    Alarms, CreateDaemon, DaemonSettings, DeleteDaemon, DeploymentConfiguration, EcsCall, KeyValue,
    UpdateDaemon,
};
use crate::services::error::EcsFailure;

/// `arn:aws:ecs:R:A:cluster/C` → `arn:aws:ecs:R:A:daemon/C/NAME`.
fn daemon_arn(cluster_arn: &str, cluster: &str, name: &str) -> String {
    let prefix = cluster_arn.split(":cluster/").next().unwrap_or(cluster_arn);
    format!("{prefix}:daemon/{cluster}/{name}")
}

fn not_found_daemon(cluster: &str, name: &str) -> GatewayError {
    GatewayError::NotFound(format!("There is no daemon named {name} in cluster {cluster}."))
}

fn secs(t: Option<&aws_sdk_ecs::primitives::DateTime>) -> Option<f64> {
    t.map(|d| d.as_secs_f64())
}

impl EcsGateway {
    /// Daemon revision ARN → the revision (task definition, flags). Revisions never change:
    /// each is described once, 20 per call.
    pub(crate) async fn revisions(
        &self,
        arns: Vec<String>,
    ) -> Result<HashMap<String, DaemonRevision>, GatewayError> {
        let mut unique: Vec<String> = arns;
        unique.sort();
        unique.dedup();
        let mut out = HashMap::new();
        let mut missing = Vec::new();
        for arn in unique {
            match self.cache.revisions.get(&arn) {
                Some(r) => {
                    out.insert(arn, r);
                }
                None => missing.push(arn),
            }
        }
        let described = in_batches(&missing, DAEMON_BATCH, |chunk| async move {
            let res = self
                .ecs
                .client
                .describe_daemon_revisions()
                .set_daemon_revision_arns(Some(chunk))
                .send()
                .await?;
            Ok(res.daemon_revisions.unwrap_or_default())
        })
        .await?;
        for r in described {
            if let Some(arn) = r.daemon_revision_arn.clone() {
                self.cache.revisions.insert(arn.clone(), r.clone(), None);
                out.insert(arn, r);
            }
        }
        Ok(out)
    }

    /// Daemon task definition ARN → (CPU units, MiB) one copy reserves. Definitions are
    /// immutable, so the answer is cached for the life of the process.
    pub async fn reservation(&self, td_arn: &str) -> Result<(u32, u32), GatewayError> {
        if let Some(r) = self.cache.reservations.get(&td_arn.to_string()) {
            return Ok(r);
        }
        let out =
            self.ecs.client.describe_daemon_task_definition().daemon_task_definition(td_arn).send().await?;
        let td = out.daemon_task_definition.ok_or_else(|| GatewayError::NotFound(td_arn.to_string()))?;
        let containers = td.container_definitions.unwrap_or_default();
        let cpu: u32 = containers.iter().map(|c| c.cpu.max(0) as u32).sum();
        let mem: u32 = containers.iter().map(|c| c.memory.unwrap_or(0).max(0) as u32).sum();
        let task_cpu = td.cpu.and_then(|c| c.parse::<u32>().ok()).unwrap_or(0);
        let task_mem = td.memory.and_then(|m| m.parse::<u32>().ok()).unwrap_or(0);
        let r = (cpu.max(task_cpu), mem.max(task_mem));
        self.cache.reservations.insert(td_arn.to_string(), r, None);
        Ok(r)
    }

    /// ListDaemons of a cluster (name or ARN), every page.
    pub(crate) async fn daemon_arns(&self, cluster: &str) -> Result<Vec<String>, GatewayError> {
        let cluster = cluster_name(cluster);
        if let Some(hit) = self.cache.daemon_arns.get(&cluster.to_string()) {
            return Ok(hit);
        }
        let epoch = self.cache.epoch();
        let arns = all_pages(MAX_PAGES, |token| async move {
            let out = self
                .ecs
                .client
                .list_daemons()
                .cluster_arn(cluster)
                .set_next_token(token)
                .max_results(100)
                .send()
                .await?;
            let arns = out.daemon_summaries_list.unwrap_or_default().into_iter().filter_map(|d| d.daemon_arn);
            Ok((arns.collect(), out.next_token))
        })
        .await?;
        self.cache.store(&self.cache.daemon_arns, epoch, cluster.to_string(), arns.clone());
        Ok(arns)
    }

    /// DescribeDaemonDeployments, 20 per call; the answers in the order of `arns`.
    pub(crate) async fn deployments(&self, arns: Vec<String>) -> Result<Vec<DaemonDeployment>, GatewayError> {
        let mut found: HashMap<String, DaemonDeployment> = HashMap::new();
        let missing: Vec<String> = arns
            .iter()
            .filter(|a| {
                match self.cache.finished_deployments.get(a).or_else(|| self.cache.deployments.get(a)) {
                    Some(d) => {
                        found.insert((*a).clone(), d);
                        false
                    }
                    None => true,
                }
            })
            .cloned()
            .collect();
        let epoch = self.cache.epoch();
        let described = in_batches(&missing, DAEMON_BATCH, |chunk| async move {
            let res = self
                .ecs
                .client
                .describe_daemon_deployments()
                .set_daemon_deployment_arns(Some(chunk))
                .send()
                .await?;
            Ok(res.daemon_deployments.unwrap_or_default())
        })
        .await?;
        for d in described {
            let Some(arn) = d.daemon_deployment_arn.clone() else { continue };
            // Only a terminal status is final: ECS may set stoppedAt when a stop is
            // requested, well before the rollback that follows ends.
            let finished = d.status.as_ref().is_some_and(|s| {
                matches!(s.as_str(), "SUCCESSFUL" | "STOPPED" | "ROLLBACK_SUCCESSFUL" | "ROLLBACK_FAILED")
            });
            if finished {
                self.cache.finished_deployments.insert(arn.clone(), d.clone(), None);
                self.cache.saw_finished(&arn);
            } else {
                self.cache.saw_running(&arn);
                self.cache.store(&self.cache.deployments, epoch, arn.clone(), d.clone());
            }
            found.insert(arn, d);
        }
        Ok(arns.iter().filter_map(|a| found.remove(a)).collect())
    }

    /// ListDaemonDeployments: the daemon's newest deployment ARNs, newest first (one page of 20
    /// is all a page shows).
    pub(crate) async fn deployment_arns(&self, daemon_arn: &str) -> Result<Vec<String>, GatewayError> {
        if let Some(hit) = self.cache.deployment_lists.get(&daemon_arn.to_string()) {
            return Ok(hit);
        }
        let epoch = self.cache.epoch();
        let listed =
            self.ecs.client.list_daemon_deployments().daemon_arn(daemon_arn).max_results(20).send().await?;
        let arns: Vec<String> = listed
            .daemon_deployments
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| s.daemon_deployment_arn)
            .collect();
        self.cache.store(&self.cache.deployment_lists, epoch, daemon_arn.to_string(), arns.clone());
        Ok(arns)
    }

    /// DescribeDaemon, cached briefly; `None` when ECS says there is no such daemon.
    pub(crate) async fn describe_daemon(
        &self,
        arn: &str,
    ) -> Result<Option<aws_sdk_ecs::types::DaemonDetail>, GatewayError> {
        if let Some(hit) = self.cache.daemons.get(&arn.to_string()) {
            return Ok(Some(hit));
        }
        let epoch = self.cache.epoch();
        match self.ecs.client.describe_daemon().daemon_arn(arn).send().await.map_err(GatewayError::from) {
            Ok(o) => {
                if let Some(d) = &o.daemon {
                    self.cache.store(&self.cache.daemons, epoch, arn.to_string(), d.clone());
                }
                Ok(o.daemon)
            }
            Err(GatewayError::Ecs(e)) if e.is("DaemonNotFoundException") => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn task_definition_arn(
        &self,
        family: &str,
        revision: Option<u32>,
    ) -> Result<String, GatewayError> {
        let reference = match revision {
            Some(r) => format!("{family}:{r}"),
            None => family.to_string(),
        };
        let out =
            self.ecs.client.describe_daemon_task_definition().daemon_task_definition(&reference).send().await;
        match out {
            Ok(o) => o
                .daemon_task_definition
                .and_then(|t| t.daemon_task_definition_arn)
                .ok_or_else(|| GatewayError::Unexpected("ECS returned no task definition".into())),
            Err(e) => match EcsFailure::from(e) {
                e if e.is("ClientException") || e.is("InvalidParameterException") => {
                    Err(GatewayError::invalid(
                        if revision.is_some() { "revision" } else { "family" },
                        format!("There is no ACTIVE daemon task definition {reference}."),
                    ))
                }
                e => Err(e.into()),
            },
        }
    }
}

fn revision_names(
    detail: Option<&DaemonDeploymentRevisionDetail>,
    revisions: &HashMap<String, DaemonRevision>,
) -> String {
    detail
        .and_then(|d| d.arn.as_deref())
        .map(|arn| {
            revisions
                .get(arn)
                .and_then(|r| r.daemon_task_definition_arn.as_deref())
                .map(short_name)
                .unwrap_or_else(|| short_name(arn))
        })
        .unwrap_or_default()
}

pub(crate) fn deployment_view(
    d: &DaemonDeployment,
    revisions: &HashMap<String, DaemonRevision>,
) -> DeploymentView {
    let arn = d.daemon_deployment_arn.clone().unwrap_or_default();
    let count = |r: &DaemonDeploymentRevisionDetail| {
        r.total_running_instance_count.unwrap_or(0)
            + r.total_without_daemon_instance_count.unwrap_or(0)
            + r.total_draining_instance_count.unwrap_or(0)
    };
    let target = d.target_daemon_revision.as_ref();
    let sources = d.source_daemon_revisions.clone().unwrap_or_default();
    let on_target = target.and_then(|t| t.total_running_instance_count).unwrap_or(0);
    let total = target.map(count).unwrap_or(0) + sources.iter().map(count).sum::<i32>();
    let draining = target.and_then(|t| t.total_draining_instance_count).unwrap_or(0)
        + sources.iter().map(|s| s.total_draining_instance_count.unwrap_or(0)).sum::<i32>();
    let status = d.status.as_ref().map(|s| s.as_str().to_string()).unwrap_or_default();
    let percent = if status == "SUCCESSFUL" {
        100
    } else if total > 0 {
        ((on_target.max(0) as f64 / total as f64) * 100.0).floor() as u32
    } else {
        0
    };
    let config = d.deployment_configuration.as_ref();
    DeploymentView {
        id: short_name(&arn),
        arn,
        status,
        status_reason: d.status_reason.clone(),
        target: revision_names(target, revisions),
        sources: sources.iter().map(|s| revision_names(Some(s), revisions)).collect(),
        on_target,
        total_instances: total,
        draining,
        percent,
        rollback_reason: d.rollback.as_ref().and_then(|r| r.reason.clone()),
        circuit_breaker: d.circuit_breaker.as_ref().map(|c| (c.failure_count, c.threshold)),
        triggered_alarms: d.alarms.as_ref().and_then(|a| a.triggered_alarm_names.clone()).unwrap_or_default(),
        drain_percent: config.and_then(|c| c.drain_percent),
        bake_time_minutes: config.map(|c| c.bake_time_in_minutes),
        created_at: secs(d.created_at.as_ref()),
        finished_at: secs(d.finished_at.as_ref().or(d.stopped_at.as_ref())),
    }
}

impl EcsGateway {
    /// Every daemon, in every cluster, with instances that should run it but do not.
    pub async fn missing_daemons(&self) -> Result<Vec<crate::api::dashboard::MissingDaemon>, GatewayError> {
        let mut missing = Vec::new();
        for cluster in self.list_clusters().await? {
            for d in self.list_daemons(&cluster.name).await? {
                if d.without_daemon > 0 {
                    missing.push(crate::api::dashboard::MissingDaemon {
                        cluster: cluster.name.clone(),
                        daemon: d.name,
                        instances: d.without_daemon as u32,
                    });
                }
            }
        }
        Ok(missing)
    }

    pub async fn list_daemons(&self, cluster: &str) -> Result<Vec<DaemonRow>, GatewayError> {
        let arns = self.daemon_arns(cluster).await?;
        let mut details = Vec::new();
        // DescribeDaemon takes one ARN; run them concurrently, a few at a time.
        for chunk in arns.chunks(10) {
            let calls = chunk.iter().map(|arn| self.describe_daemon(arn));
            for res in futures::future::join_all(calls).await {
                details.extend(res?);
            }
        }
        let revision_arns: Vec<String> = details
            .iter()
            .flat_map(|d| d.current_revisions.clone().unwrap_or_default())
            .filter_map(|r| r.arn)
            .collect();
        let deployment_arns: Vec<String> = details.iter().filter_map(|d| d.deployment_arn.clone()).collect();
        let (revisions, deployments) =
            tokio::try_join!(self.revisions(revision_arns), self.deployments(deployment_arns))?;
        let deployment_status: HashMap<String, String> = deployments
            .iter()
            .filter_map(|d| Some((d.daemon_deployment_arn.clone()?, d.status.as_ref()?.as_str().to_string())))
            .collect();
        let mut rows: Vec<DaemonRow> = details
            .into_iter()
            .map(|d| {
                let arn = d.daemon_arn.clone().unwrap_or_default();
                let current = d.current_revisions.clone().unwrap_or_default();
                let mut providers: Vec<String> = current
                    .iter()
                    .flat_map(|r| r.capacity_providers.clone().unwrap_or_default())
                    .filter_map(|p| p.arn.map(|a| short_name(&a)))
                    .collect();
                providers.sort();
                providers.dedup();
                DaemonRow {
                    name: short_name(&arn),
                    cluster: cluster.to_string(),
                    status: d.status.as_ref().map(|s| s.as_str().to_string()).unwrap_or_default(),
                    revisions: current
                        .iter()
                        .filter_map(|r| r.arn.as_ref())
                        .map(|a| {
                            revisions
                                .get(a)
                                .and_then(|r| r.daemon_task_definition_arn.as_deref())
                                .map(short_name)
                                .unwrap_or_else(|| short_name(a))
                        })
                        .collect(),
                    capacity_providers: providers,
                    running: current.iter().map(|r| r.total_running_count).sum(),
                    without_daemon: current.iter().map(|r| r.total_without_daemon_count).sum(),
                    latest_deployment: d
                        .deployment_arn
                        .as_ref()
                        .and_then(|a| deployment_status.get(a).cloned()),
                    arn,
                }
            })
            .collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(rows)
    }

    /// The daemon page's data. `requests` are the daemon's newest change requests
    /// (`ChangeEngine::newest_requests`): when they show a change this replica's cached view
    /// has not seen, ECS is read again.
    pub async fn daemon_detail(
        &self,
        cluster: &str,
        name: &str,
        requests: daemon_live::Requests,
    ) -> Result<DaemonDetail, GatewayError> {
        let summary = self.cluster_summary(cluster).await?;
        let arn = daemon_arn(&summary.arn, cluster, name);
        let mut d = self.describe_daemon(&arn).await?.ok_or_else(|| not_found_daemon(cluster, name))?;
        let mut listed = self.deployment_arns(&arn).await?;
        let running = |a: &str| {
            let cached = self.cache.deployments.get(&a.to_string());
            cached.is_some_and(|dep| deployment_view(&dep, &HashMap::new()).is_active())
        };
        let behind = {
            let known = |a: &str| listed.iter().any(|l| l == a) || d.deployment_arn.as_deref() == Some(a);
            daemon_live::view_is_behind(&requests, known, running)
        };
        if behind {
            // A request (of any replica) started or ended a deployment after this replica
            // cached its view: a change seen, so the cluster's live state goes and ECS is read
            // again.
            self.cache.invalidate_cluster(cluster);
            d = self.describe_daemon(&arn).await?.ok_or_else(|| not_found_daemon(cluster, name))?;
            listed = self.deployment_arns(&arn).await?;
        }
        let mut deployment_arns = listed;
        // ECS's list is newest first; the current one and the requests' (in case the list
        // lags behind) go in front.
        for a in d.deployment_arn.iter().chain(requests.deployment_arns.iter()) {
            if !deployment_arns.contains(a) {
                deployment_arns.insert(0, a.clone());
            }
        }
        let epoch = self.cache.epoch();
        let deployments = self.deployments(deployment_arns).await?;
        if self.cache.epoch() != epoch {
            // Something changed meanwhile (a deployment seen running has ended): the daemon's
            // counts and revisions too.
            d = self.describe_daemon(&arn).await?.ok_or_else(|| not_found_daemon(cluster, name))?;
        }
        let current = d.current_revisions.clone().unwrap_or_default();
        let mut revision_arns: Vec<String> = current.iter().filter_map(|r| r.arn.clone()).collect();
        for dep in &deployments {
            revision_arns.extend(dep.target_daemon_revision.as_ref().and_then(|t| t.arn.clone()));
            revision_arns.extend(dep.source_daemon_revisions.iter().flatten().filter_map(|s| s.arn.clone()));
        }
        let (revisions, instances) =
            tokio::try_join!(self.revisions(revision_arns), self.instances(cluster, Some(name)))?;

        let views: Vec<DeploymentView> =
            deployments.iter().map(|dep| deployment_view(dep, &revisions)).collect();
        let (deployment, past_deployments) = daemon_live::pick(views, d.deployment_arn.as_deref());

        let current_views: Vec<RevisionView> = current
            .iter()
            .map(|r| {
                let rarn = r.arn.clone().unwrap_or_default();
                RevisionView {
                    definition: revisions
                        .get(&rarn)
                        .and_then(|x| x.daemon_task_definition_arn.as_deref())
                        .map(short_name)
                        .unwrap_or_else(|| short_name(&rarn)),
                    arn: rarn,
                    providers: r
                        .capacity_providers
                        .clone()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|p| ProviderCount {
                            name: short_name(&p.arn.unwrap_or_default()),
                            running: p.running_count,
                            without_daemon: p.without_daemon_count,
                            draining: 0,
                        })
                        .collect(),
                    total_running: r.total_running_count,
                    total_without_daemon: r.total_without_daemon_count,
                }
            })
            .collect();

        // The daemon's providers: those of its current revisions, else the latest deployment's.
        let mut providers: Vec<String> =
            current_views.iter().flat_map(|r| r.providers.iter().map(|p| p.name.clone())).collect();
        if providers.is_empty() {
            if let Some(dep) = deployments.first() {
                providers.extend(
                    dep.target_daemon_revision
                        .iter()
                        .flat_map(|t| t.capacity_providers.clone().unwrap_or_default())
                        .filter_map(|p| p.arn.map(|a| short_name(&a))),
                );
            }
        }
        providers.sort();
        providers.dedup();

        // Settings for Update: the latest deployment's configuration and target revision.
        let latest = deployments
            .iter()
            .find(|dep| dep.daemon_deployment_arn == d.deployment_arn)
            .or_else(|| deployments.first());
        let config = latest.and_then(|l| l.deployment_configuration.clone());
        let target_revision = latest
            .and_then(|l| l.target_daemon_revision.as_ref())
            .and_then(|t| t.arn.as_ref())
            .and_then(|a| revisions.get(a))
            .or_else(|| current.first().and_then(|r| r.arn.as_ref()).and_then(|a| revisions.get(a)));
        let td = target_revision
            .and_then(|r| r.daemon_task_definition_arn.as_deref())
            .map(short_name)
            .unwrap_or_default();
        let (family, revision) =
            td.rsplit_once(':').map(|(f, r)| (f.to_string(), r.parse().ok())).unwrap_or_default();
        let alarms = config.as_ref().and_then(|c| c.alarms.clone());
        let settings = DeployDraft {
            daemon_arn: Some(arn.clone()),
            cluster: cluster.to_string(),
            daemon_name: name.to_string(),
            family,
            revision,
            capacity_providers: providers,
            drain_percent: Some(config.as_ref().and_then(|c| c.drain_percent).unwrap_or(25.0)),
            bake_time: Some(config.as_ref().map(|c| c.bake_time_in_minutes.max(0) as u32).unwrap_or(0)),
            alarms: alarms.as_ref().and_then(|a| a.alarm_names.clone()).unwrap_or_default(),
            rollback_on_alarm: alarms.as_ref().map(|a| a.enable).unwrap_or(false),
            critical: target_revision.and_then(|r| r.critical).unwrap_or(true),
            tags: Default::default(),
            propagate_tags: target_revision
                .and_then(|r| r.propagate_tags.as_ref())
                .is_some_and(|p| *p == DaemonPropagateTags::Daemon),
            ecs_managed_tags: target_revision.and_then(|r| r.enable_ecs_managed_tags).unwrap_or(false),
            execute_command: target_revision.and_then(|r| r.enable_execute_command).unwrap_or(false),
            rollback: false,
        };

        let instances = instances
            .into_iter()
            .filter(|i| {
                settings.capacity_providers.contains(&i.capacity_provider) || !i.daemon_tasks.is_empty()
            })
            .collect();
        Ok(DaemonDetail {
            name: name.to_string(),
            arn,
            cluster: cluster.to_string(),
            status: d.status.as_ref().map(|s| s.as_str().to_string()).unwrap_or_default(),
            created_at: secs(d.created_at.as_ref()),
            updated_at: secs(d.updated_at.as_ref()),
            current_revisions: current_views,
            deployment,
            past_deployments,
            request_in_flight: requests.in_flight,
            instances,
            instances_total: 0,
            instances_running: 0,
            instances_page: 1,
            settings,
        })
    }

    pub async fn deploy_options(&self, cluster: &str) -> Result<DeployOptions, GatewayError> {
        let clusters = self.cluster_summaries(None).await?;
        let chosen = clusters
            .iter()
            .find(|c| c.name == cluster)
            .or_else(|| clusters.iter().find(|c| c.name == "default"))
            .or_else(|| clusters.first())
            .cloned();
        let Some(chosen) = chosen else {
            return Ok(DeployOptions {
                environment: String::new(),
                clusters: vec![],
                cluster: String::new(),
                providers: vec![],
                families: vec![],
                alarms: vec![],
            });
        };
        let (providers, daemons, families, alarms) = tokio::try_join!(
            self.providers(&chosen),
            self.list_daemons(&chosen.name),
            self.active_families(),
            self.alarm_names(),
        )?;
        // What each daemon already reserves per instance, by provider.
        let mut per_provider: BTreeMap<String, Vec<(String, u32, u32)>> = BTreeMap::new();
        for d in &daemons {
            if d.status != "ACTIVE" {
                continue;
            }
            let mut cpu = 0;
            let mut mem = 0;
            for rev in &d.revisions {
                if let Ok((c, m)) = self.reservation(rev).await {
                    cpu = cpu.max(c);
                    mem = mem.max(m);
                }
            }
            for p in &d.capacity_providers {
                per_provider.entry(p.clone()).or_default().push((d.name.clone(), cpu, mem));
            }
        }
        // The guard's per-instance numbers (capacity_guard.rs), so the form can name misfits.
        let mut loads = self.instance_loads(&chosen.name).await?;
        let counts = self.blast_counts(&chosen.name).await?;
        Ok(DeployOptions {
            environment: String::new(),
            clusters: clusters.iter().map(|c| c.name.clone()).collect(),
            cluster: chosen.name.clone(),
            providers: providers
                .into_iter()
                .map(|p| ProviderCapacity {
                    daemons: per_provider.remove(&p.name).unwrap_or_default(),
                    instances: loads.remove(&p.name).unwrap_or_default(),
                    app_tasks: counts.get(&p.name).map_or(0, |c| c.1),
                    estimate: String::new(),
                    provider: crate::api::clusters::CapacityProviderInfo {
                        instances: counts.get(&p.name).map_or(0, |c| c.0),
                        ..p
                    },
                })
                .collect(),
            families,
            alarms,
        })
    }
}

/// A deploy or update checked against ECS, ready to be recorded as a change request.
pub struct PreparedDeploy {
    pub call: EcsCall,
    /// The daemon's ARN (existing, or the one CreateDaemon will give it).
    pub daemon_arn: String,
    /// `family:revision` the daemon moves to.
    pub to_revision: String,
    /// ARN of that revision's task definition.
    pub to_task_definition: String,
    /// `family:revision` of what runs now (empty for a new daemon), and its ARN.
    pub from_revision: String,
    pub from_task_definition: String,
}

impl EcsGateway {
    /// Checks a deployment against ECS (cluster, revision, capacity providers, the resource
    /// guard) and builds the exact call that will carry it out.
    pub async fn prepare_deploy(
        &self,
        spec: &DeploySpec,
        client_token: &str,
    ) -> Result<PreparedDeploy, GatewayError> {
        let summary = self.cluster_summary(&spec.cluster).await.map_err(|e| match e {
            GatewayError::NotFound(m) => GatewayError::invalid("cluster", m),
            other => other,
        })?;
        let td_arn = self.task_definition_arn(&spec.family, spec.revision).await?;
        let providers = self.providers(&summary).await?;
        let mut provider_arns = Vec::new();
        for name in &spec.capacity_providers {
            let p = providers.iter().find(|p| &p.name == name).ok_or_else(|| {
                GatewayError::invalid(
                    "capacity_providers",
                    format!(
                        "{name} is not a Managed Instances capacity provider of cluster {}.",
                        spec.cluster
                    ),
                )
            })?;
            provider_arns.push(p.arn.clone());
        }
        self.check_fits(spec, &td_arn, &providers).await?;

        let settings = DaemonSettings {
            daemon_task_definition_arn: td_arn.clone(),
            capacity_provider_arns: provider_arns,
            deployment_configuration: DeploymentConfiguration {
                drain_percent: spec.drain_percent,
                bake_time_in_minutes: spec.bake_time_minutes as i32,
                alarms: (!spec.alarms.is_empty())
                    .then(|| Alarms { alarm_names: spec.alarms.clone(), enable: spec.rollback_on_alarm }),
            },
            propagate_tags: if spec.propagate_tags { "DAEMON" } else { "NONE" }.to_string(),
            enable_ecs_managed_tags: spec.ecs_managed_tags,
            enable_execute_command: spec.execute_command,
            critical: spec.critical,
        };
        let daemon_arn = daemon_arn(&summary.arn, &spec.cluster, &spec.daemon_name);
        let existing = self.describe_daemon(&daemon_arn).await?;
        let (from_revision, from_task_definition) = match &existing {
            Some(d) => {
                let revs: Vec<String> = d
                    .current_revisions
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|r| r.arn)
                    .collect();
                let revisions = self.revisions(revs.clone()).await?;
                let td = revs
                    .iter()
                    .filter_map(|r| revisions.get(r).and_then(|r| r.daemon_task_definition_arn.clone()))
                    .find(|td| *td != td_arn)
                    .or_else(|| {
                        revs.first().and_then(|r| revisions.get(r)?.daemon_task_definition_arn.clone())
                    })
                    .unwrap_or_default();
                (short_name(&td), td)
            }
            None => (String::new(), String::new()),
        };
        let call = match (&spec.daemon_arn, &existing) {
            (Some(_), Some(_)) => {
                EcsCall::UpdateDaemon(UpdateDaemon { daemon_arn: daemon_arn.clone(), settings })
            }
            (Some(_), None) => return Err(not_found_daemon(&spec.cluster, &spec.daemon_name)),
            (None, Some(_)) => {
                return Err(GatewayError::invalid(
                    "daemon_name",
                    format!(
                        "A daemon named {} already exists in cluster {}; update it instead.",
                        spec.daemon_name, spec.cluster
                    ),
                ))
            }
            (None, None) => EcsCall::CreateDaemon(CreateDaemon {
                cluster_arn: spec.cluster.to_string(),
                daemon_name: spec.daemon_name.to_string(),
                settings,
                tags: spec
                    .tags
                    .iter()
                    .map(|t| KeyValue { key: t.key.clone(), value: t.value.clone() })
                    .collect(),
                client_token: client_token.to_string(),
            }),
        };
        Ok(PreparedDeploy {
            call,
            daemon_arn,
            to_revision: short_name(&td_arn),
            to_task_definition: td_arn,
            from_revision,
            from_task_definition,
        })
    }

    /// Checks that the daemon exists and builds its DeleteDaemon call; also returns
    /// `family:revision` and the task definition ARN of what it runs now.
    pub async fn prepare_delete_daemon(
        &self,
        cluster: &str,
        name: &str,
    ) -> Result<(EcsCall, String, String), GatewayError> {
        let summary = self.cluster_summary(cluster).await?;
        let arn = daemon_arn(&summary.arn, cluster, name);
        let d = self.describe_daemon(&arn).await?.ok_or_else(|| not_found_daemon(cluster, name))?;
        let revs: Vec<String> =
            d.current_revisions.unwrap_or_default().into_iter().filter_map(|r| r.arn).collect();
        let revisions = self.revisions(revs.clone()).await?;
        let td = revs
            .first()
            .and_then(|r| revisions.get(r)?.daemon_task_definition_arn.clone())
            .unwrap_or_default();
        Ok((EcsCall::DeleteDaemon(DeleteDaemon { daemon_arn: arn }), short_name(&td), td))
    }
}

impl EcsGateway {
    /// Families with their ACTIVE revisions (newest first) and per-copy reservation.
    pub async fn active_families(&self) -> Result<Vec<FamilyRevisions>, GatewayError> {
        // 10 pages of 100: the form offers at most 1,000 revisions.
        let arns: Vec<String> = all_pages(10, |token| async move {
            let out = self
                .ecs
                .client
                .list_daemon_task_definitions()
                .set_next_token(token)
                .max_results(100)
                .send()
                .await?;
            let arns = out.daemon_task_definitions.unwrap_or_default().into_iter().filter_map(|s| s.arn);
            Ok((arns.collect(), out.next_token))
        })
        .await?;
        let mut families: BTreeMap<String, Vec<(u32, u32, u32)>> = BTreeMap::new();
        for arn in arns {
            let name = short_name(&arn);
            let Some((family, rev)) = name.rsplit_once(':') else { continue };
            let Ok(rev) = rev.parse::<u32>() else { continue };
            let (cpu, mem) = self.reservation(&arn).await.unwrap_or((0, 0));
            families.entry(family.to_string()).or_default().push((rev, cpu, mem));
        }
        Ok(families
            .into_iter()
            .map(|(family, mut revisions)| {
                revisions.sort_by_key(|r| std::cmp::Reverse(r.0));
                FamilyRevisions { family, revisions }
            })
            .collect())
    }

    /// CloudWatch alarm names to offer. The embedded emulator lists its alarms; against AWS
    /// the portal does not call CloudWatch, and users type alarm names.
    pub async fn alarm_names(&self) -> Result<Vec<String>, GatewayError> {
        let Some(endpoint) = &self.ecs.sim_endpoint else { return Ok(vec![]) };
        let res = self.http.get(format!("{endpoint}/_sim/alarms")).send().await;
        let Ok(res) = res else { return Ok(vec![]) };
        let body: serde_json::Value = res.json().await.unwrap_or_default();
        let list = body.get("alarms").and_then(|a| a.as_array()).cloned().unwrap_or_default();
        let mut names: Vec<String> = list
            .iter()
            .filter_map(|a| {
                a.get("name").or_else(|| a.get("alarmName")).and_then(|n| n.as_str()).map(str::to_string)
            })
            .collect();
        names.sort();
        Ok(names)
    }
}
