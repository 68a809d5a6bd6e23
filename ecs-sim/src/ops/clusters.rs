//! ListClusters, DescribeClusters, DescribeCapacityProviders.

use super::*;
use crate::arn;
use crate::model::input::{DescribeCapacityProviders, DescribeClusters, ListClusters};
use crate::model::output as out;
use crate::state::{InstanceStatus, Provider};
use serde_json::{json, Value};

pub fn list(st: &mut State, req: ListClusters) -> ApiResult<String> {
    let size = page_size(req.max_results, 100)?;
    let after = cursor(&req.next_token)?;
    let mut names = st.clusters.keys().filter(|n| after.as_ref().is_none_or(|a| *n > a));
    let page: Vec<&String> = names.by_ref().take(size).collect();
    let more = names.next().is_some();
    let mut resp = json!({ "clusterArns": page.iter().map(|n| st.scope.cluster(n)).collect::<Vec<_>>() });
    if more {
        resp["nextToken"] = Value::String(arn::encode_token(page[page.len() - 1]));
    }
    reply(&resp)
}

fn tags(t: &[(String, String)]) -> Vec<out::Tag> {
    t.iter().map(|(k, v)| out::Tag { key: k.clone(), value: v.clone() }).collect()
}

pub fn describe(st: &mut State, req: DescribeClusters) -> ApiResult<String> {
    let include = req.include.unwrap_or_default();
    for i in &include {
        check_enum(
            &Some(i.clone()),
            "include",
            &["ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS"],
        )?;
    }
    let refs = match req.clusters {
        Some(v) if !v.is_empty() => v,
        _ => vec!["default".to_string()],
    };
    if refs.len() > 100 {
        return Err(ApiError::invalid("clusters can have at most 100 items."));
    }
    let mut clusters = Vec::new();
    let mut failures = Vec::new();
    for r in &refs {
        let Some(c) = arn::cluster_name(r).and_then(|n| st.clusters.get(n)) else {
            failures.push(missing(&if r.starts_with("arn:") { r.clone() } else { st.scope.cluster(r) }));
            continue;
        };
        let (mut running, mut pending, mut registered) = (0, 0, 0);
        for id in &c.instances {
            let Some(inst) = st.instances.get(id) else {
                continue;
            };
            if inst.status != InstanceStatus::Registering {
                registered += 1;
            }
            for t in inst.tasks.iter().filter_map(|t| st.tasks.get(t)) {
                match t.last_status.as_str() {
                    "RUNNING" => running += 1,
                    "PENDING" => pending += 1,
                    _ => {}
                }
            }
        }
        let services: std::collections::BTreeSet<&String> = c
            .providers
            .iter()
            .filter_map(|p| st.providers.get(p))
            .flat_map(|p| p.services.iter().map(|s| &s.name))
            .collect();
        let has = |f: &str| include.iter().any(|i| i == f);
        clusters.push(out::Cluster {
            cluster_arn: st.scope.cluster(&c.name),
            cluster_name: c.name.clone(),
            status: "ACTIVE".into(),
            registered_container_instances_count: registered,
            running_tasks_count: running,
            pending_tasks_count: pending,
            active_services_count: services.len() as u32,
            statistics: has("STATISTICS").then(Vec::new),
            tags: has("TAGS").then(|| tags(&c.tags)),
            settings: has("SETTINGS")
                .then(|| vec![out::KeyValue { name: "containerInsights".into(), value: "disabled".into() }]),
            capacity_providers: c.providers.clone(),
            default_capacity_provider_strategy: c
                .providers
                .first()
                .map(|p| out::CapacityProviderStrategyItem {
                    capacity_provider: p.clone(),
                    weight: 1,
                    base: 0,
                })
                .into_iter()
                .collect(),
        });
    }
    reply(&json!({ "clusters": clusters, "failures": failures }))
}

pub(crate) fn provider_wire(
    scope: &crate::arn::Scope,
    p: &Provider,
    with_tags: bool,
) -> out::CapacityProvider {
    out::CapacityProvider {
        capacity_provider_arn: scope.capacity_provider(&p.name),
        name: p.name.clone(),
        cluster: p.cluster.clone(),
        status: "ACTIVE".into(),
        managed_instances_provider: out::ManagedInstancesProvider {
            infrastructure_role_arn: format!("arn:aws:iam::{}:role/ecsInfrastructureRole", scope.account),
            instance_launch_template: out::InstanceLaunchTemplate {
                ec2_instance_profile_arn: format!(
                    "arn:aws:iam::{}:instance-profile/ecsInstanceRole",
                    scope.account
                ),
                network_configuration: out::NetworkConfiguration {
                    subnets: vec!["subnet-0a1b2c3d4e5f60001".into(), "subnet-0a1b2c3d4e5f60002".into()],
                    security_groups: vec!["sg-0a1b2c3d4e5f60001".into()],
                },
                storage_configuration: out::StorageConfiguration { storage_size_gib: 100 },
                monitoring: "BASIC".into(),
                instance_requirements: out::InstanceRequirements {
                    v_cpu_count: out::Range { min: p.vcpu, max: p.vcpu },
                    memory_mib: out::Range { min: p.memory, max: p.memory },
                },
            },
            propagate_tags: "NONE".into(),
        },
        tags: with_tags.then(Vec::new),
        kind: "MANAGED_INSTANCES".into(),
    }
}

pub fn describe_capacity_providers(st: &mut State, req: DescribeCapacityProviders) -> ApiResult<String> {
    let include = req.include.unwrap_or_default();
    for i in &include {
        check_enum(&Some(i.clone()), "include", &["TAGS"])?;
    }
    let with_tags = include.iter().any(|i| i == "TAGS");
    let cluster = match &req.cluster {
        Some(c) if !c.is_empty() => Some(cluster_of(st, &Some(c.clone()))?),
        _ => None,
    };
    let mut resp = json!({});
    match req.capacity_providers {
        Some(refs) if !refs.is_empty() => {
            if refs.len() > 100 {
                return Err(ApiError::invalid("capacityProviders can have at most 100 items."));
            }
            let mut found = Vec::new();
            let mut failures = Vec::new();
            for r in &refs {
                let p = arn::last_segment(r, "capacity-provider")
                    .and_then(|n| st.providers.get(n))
                    .filter(|p| cluster.as_ref().is_none_or(|c| &p.cluster == c));
                match p {
                    Some(p) => found.push(provider_wire(&st.scope, p, with_tags)),
                    None => failures.push(missing(r)),
                }
            }
            resp["capacityProviders"] = serde_json::to_value(found).unwrap_or_default();
            resp["failures"] = serde_json::to_value(failures).unwrap_or_default();
        }
        _ => {
            // The API pages these 10 at a time unless asked otherwise.
            let size = match req.max_results {
                None => 10,
                Some(n) => page_size(Some(n), 10)?,
            };
            let after = cursor(&req.next_token)?;
            let mut all = st
                .providers
                .values()
                .filter(|p| cluster.as_ref().is_none_or(|c| &p.cluster == c))
                .filter(|p| after.as_ref().is_none_or(|a| &p.name > a));
            let page: Vec<&Provider> = all.by_ref().take(size).collect();
            if all.next().is_some() {
                resp["nextToken"] = Value::String(arn::encode_token(&page[page.len() - 1].name));
            }
            resp["capacityProviders"] = serde_json::to_value(
                page.iter().map(|p| provider_wire(&st.scope, p, with_tags)).collect::<Vec<_>>(),
            )
            .unwrap_or_default();
            resp["failures"] = json!([]);
        }
    }
    reply(&resp)
}
