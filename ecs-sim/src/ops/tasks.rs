//! ListContainerInstances, DescribeContainerInstances, ListTasks, DescribeTasks.

use super::*;
use crate::arn;
use crate::model::input::{DescribeContainerInstances, DescribeTasks, ListContainerInstances, ListTasks};
use crate::model::{output as out, ts};
use crate::state::{Instance, InstanceStatus, SlotState, Task, TaskKind};
use serde_json::{json, Value};

/// Supports the filter the portal needs: `attribute:ecs.capacity-provider == NAME`
/// (also `attribute:ecs.instance-type`-style equality on our attributes).
fn parse_filter(f: &str) -> ApiResult<(String, String)> {
    let (lhs, rhs) =
        f.split_once("==").ok_or_else(|| ApiError::invalid(format!("Unsupported filter expression: {f}")))?;
    let attr = lhs.trim().strip_prefix("attribute:").unwrap_or(lhs.trim()).to_string();
    Ok((attr, rhs.trim().trim_matches('"').trim_matches('\'').to_string()))
}

fn attributes(inst: &Instance) -> Vec<(String, String)> {
    vec![
        ("ecs.capacity-provider".into(), inst.provider.clone()),
        ("ecs.os-type".into(), "linux".into()),
        ("ecs.cpu-architecture".into(), "x86_64".into()),
        ("ecs.availability-zone".into(), "us-east-1a".into()),
        ("ecs.vpc-id".into(), "vpc-0a1b2c3d4e5f60001".into()),
    ]
}

pub fn list_container_instances(st: &mut State, req: ListContainerInstances) -> ApiResult<String> {
    let cluster = cluster_of(st, &req.cluster)?;
    check_enum(
        &req.status,
        "status",
        &["ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED"],
    )?;
    let size = page_size(req.max_results, 100)?;
    let after = cursor(&req.next_token)?;
    let filter = req.filter.as_deref().filter(|f| !f.trim().is_empty()).map(parse_filter).transpose()?;
    let c = &st.clusters[&cluster];
    let range = match &after {
        Some(a) => {
            c.instances.range::<String, _>((std::ops::Bound::Excluded(a.clone()), std::ops::Bound::Unbounded))
        }
        None => c.instances.range::<String, _>(..),
    };
    let mut arns = Vec::with_capacity(size);
    let mut last = None;
    let mut more = false;
    for id in range {
        let Some(inst) = st.instances.get(id) else {
            continue;
        };
        if let Some(s) = &req.status {
            if inst.status.as_str() != s {
                continue;
            }
        }
        if let Some((attr, value)) = &filter {
            if !attributes(inst).iter().any(|(k, v)| k == attr && v == value) {
                continue;
            }
        }
        if arns.len() == size {
            more = true;
            break;
        }
        arns.push(st.scope.container_instance(&cluster, id));
        last = Some(id);
    }
    let mut resp = json!({ "containerInstanceArns": arns });
    if more {
        if let Some(l) = last {
            resp["nextToken"] = Value::String(arn::encode_token(l));
        }
    }
    reply(&resp)
}

fn resource(name: &str, value: i64) -> out::Resource {
    out::Resource {
        name: name.into(),
        kind: "INTEGER".into(),
        double_value: 0.0,
        long_value: 0,
        integer_value: value,
        string_set_value: None,
    }
}

fn ports() -> out::Resource {
    out::Resource {
        name: "PORTS".into(),
        kind: "STRINGSET".into(),
        double_value: 0.0,
        long_value: 0,
        integer_value: 0,
        string_set_value: Some(vec![
            "22".into(),
            "2375".into(),
            "2376".into(),
            "51678".into(),
            "51679".into(),
        ]),
    }
}

fn health(st: &State, inst: &Instance) -> out::ContainerInstanceHealthStatus {
    let base = ts(inst.registered_at);
    let mut details = vec![
        out::InstanceHealthCheckResult {
            kind: "CONTAINER_RUNTIME".into(),
            status: "OK".into(),
            status_reason: None,
            last_updated: ts(st.now),
            last_status_change: base,
        },
        out::InstanceHealthCheckResult {
            kind: "AGENT_CONNECTIVITY".into(),
            status: "OK".into(),
            status_reason: None,
            last_updated: ts(st.now),
            last_status_change: base,
        },
    ];
    let mut overall = if inst.status == InstanceStatus::Registering { "INITIALIZING" } else { "OK" };
    for slot in &inst.slots {
        let name =
            st.daemons.get(&slot.daemon).map(|d| d.name.clone()).unwrap_or_else(|| slot.daemon.clone());
        let critical = st.revisions.get(&slot.revision).map(|r| r.critical).unwrap_or(false);
        let (status, reason) = match slot.state {
            SlotState::Running => ("OK", format!("Daemon {name} is running")),
            SlotState::Pending => ("INITIALIZING", format!("Daemon {name} is starting")),
            SlotState::Stopping => ("INSUFFICIENT_DATA", format!("Daemon {name} is stopping")),
            SlotState::Failed | SlotState::Stopped => (
                "IMPAIRED",
                format!(
                    "Daemon {name} is not running{}: {}",
                    if critical { " (critical)" } else { "" },
                    slot.reason.clone().unwrap_or_else(|| "stopped".into())
                ),
            ),
        };
        if status == "IMPAIRED" {
            overall = "IMPAIRED";
        }
        details.push(out::InstanceHealthCheckResult {
            kind: "DAEMON".into(),
            status: status.into(),
            status_reason: Some(reason),
            last_updated: ts(st.now),
            last_status_change: ts(slot.changed_at),
        });
    }
    out::ContainerInstanceHealthStatus { overall_status: overall.into(), details }
}

fn instance_wire(st: &State, inst: &Instance, with_health: bool, with_tags: bool) -> out::ContainerInstance {
    let (used_cpu, used_mem) = st.used_resources(inst);
    let (mut running, mut pending) = (0, 0);
    for t in inst.tasks.iter().filter_map(|t| st.tasks.get(t)) {
        match t.last_status.as_str() {
            "RUNNING" => running += 1,
            "PENDING" => pending += 1,
            _ => {}
        }
    }
    out::ContainerInstance {
        container_instance_arn: st.scope.container_instance(&inst.cluster, &inst.id),
        ec2_instance_id: inst.ec2_id.clone(),
        capacity_provider_name: inst.provider.clone(),
        version: inst.version,
        version_info: out::VersionInfo {
            agent_version: "1.97.0".into(),
            agent_hash: "4a7e5f2c".into(),
            docker_version: "DockerVersion: 25.0.8".into(),
        },
        remaining_resources: vec![
            resource("CPU", inst.cpu.saturating_sub(used_cpu) as i64),
            resource("MEMORY", inst.memory.saturating_sub(used_mem) as i64),
            ports(),
        ],
        registered_resources: vec![
            resource("CPU", inst.cpu as i64),
            resource("MEMORY", inst.memory as i64),
            ports(),
        ],
        status: inst.status.as_str().into(),
        status_reason: inst.status_reason.clone(),
        agent_connected: true,
        running_tasks_count: running,
        pending_tasks_count: pending,
        attributes: attributes(inst)
            .into_iter()
            .map(|(name, value)| out::Attribute { name, value: Some(value) })
            .collect(),
        registered_at: ts(inst.registered_at),
        tags: with_tags.then(Vec::new),
        health_status: with_health.then(|| health(st, inst)),
    }
}

pub fn describe_container_instances(st: &mut State, req: DescribeContainerInstances) -> ApiResult<String> {
    let cluster = cluster_of(st, &req.cluster)?;
    let refs = require(req.container_instances, "containerInstances")?;
    check_describe_count(refs.len(), "containerInstances", 100)?;
    let include = req.include.unwrap_or_default();
    for i in &include {
        check_enum(&Some(i.clone()), "include", &["CONTAINER_INSTANCE_HEALTH", "TAGS"])?;
    }
    let with_health = include.iter().any(|i| i == "CONTAINER_INSTANCE_HEALTH");
    let with_tags = include.iter().any(|i| i == "TAGS");
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for r in &refs {
        let inst = arn::last_segment(r, "container-instance")
            .and_then(|id| st.instances.get(id))
            .filter(|i| i.cluster == cluster);
        match inst {
            Some(i) => found.push(instance_wire(st, i, with_health, with_tags)),
            None => failures.push(missing(r)),
        }
    }
    reply(&json!({ "containerInstances": found, "failures": failures }))
}

fn family_of(task_def_arn: &str) -> &str {
    let tail = task_def_arn.rsplit('/').next().unwrap_or(task_def_arn);
    tail.split(':').next().unwrap_or(tail)
}

pub fn list_tasks(st: &mut State, req: ListTasks) -> ApiResult<String> {
    let cluster = cluster_of(st, &req.cluster)?;
    check_enum(&req.desired_status, "desiredStatus", &["RUNNING", "PENDING", "STOPPED"])?;
    check_enum(&req.launch_type, "launchType", &["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"])?;
    let size = page_size(req.max_results, 100)?;
    let after = seq_cursor(&req.next_token)?;
    let desired = req.desired_status.as_deref().unwrap_or("RUNNING");
    if req.launch_type.as_deref().is_some_and(|l| l != "MANAGED_INSTANCES") {
        return reply(&json!({ "taskArns": [] }));
    }
    let daemon_arn = match &req.daemon_name {
        Some(n) if !n.is_empty() => {
            Some(st.scope.daemon(&cluster, arn::last_segment(n, "daemon").unwrap_or(n)))
        }
        _ => None,
    };
    let instance_id = match &req.container_instance {
        Some(r) if !r.is_empty() => Some(
            arn::last_segment(r, "container-instance")
                .ok_or_else(|| ApiError::invalid(format!("Invalid container instance: {r}")))?
                .to_string(),
        ),
        _ => None,
    };
    let matches = |t: &Task| -> bool {
        let status_ok = match desired {
            "PENDING" => t.desired_status == "RUNNING" && t.last_status == "PENDING",
            d => t.desired_status == d,
        };
        if t.cluster != cluster || !status_ok {
            return false;
        }
        if let Some(d) = &daemon_arn {
            if !matches!(&t.kind, TaskKind::Daemon { daemon, .. } if daemon == d) {
                return false;
            }
        }
        if let Some(f) = &req.family {
            if family_of(&t.task_definition_arn) != f {
                return false;
            }
        }
        if let Some(s) = &req.started_by {
            if &t.started_by != s {
                return false;
            }
        }
        if let Some(s) = &req.service_name {
            if t.group != format!("service:{s}") {
                return false;
            }
        }
        true
    };
    let candidates: Box<dyn Iterator<Item = (u64, &String)>> = match &instance_id {
        Some(id) => match st.instances.get(id) {
            Some(inst) => Box::new(
                inst.tasks
                    .iter()
                    .filter_map(|t| st.tasks.get(t).map(|x| (x.seq, t)))
                    .filter(move |(s, _)| after.is_none_or(|a| *s > a)),
            ),
            None => Box::new(std::iter::empty()),
        },
        None => match after {
            Some(a) => Box::new(st.clusters[&cluster].tasks.range(a + 1..).map(|(s, t)| (*s, t))),
            None => Box::new(st.clusters[&cluster].tasks.iter().map(|(s, t)| (*s, t))),
        },
    };
    let mut arns = Vec::new();
    let mut last = 0;
    let mut more = false;
    for (seq, id) in candidates {
        let Some(t) = st.tasks.get(id) else { continue };
        if !matches(t) {
            continue;
        }
        if arns.len() == size {
            more = true;
            break;
        }
        arns.push(st.scope.task(&t.cluster, &t.id));
        last = seq;
    }
    let mut resp = json!({ "taskArns": arns });
    if more {
        resp["nextToken"] = Value::String(seq_token(last));
    }
    reply(&resp)
}

fn task_wire(st: &State, t: &Task, with_tags: bool) -> out::Task {
    let task_arn = st.scope.task(&t.cluster, &t.id);
    let pulled = t.started_at.or(t.stopped_at);
    let containers = t
        .containers
        .iter()
        .map(|c| out::Container {
            container_arn: st.scope.container(&t.cluster, &t.id, &c.name),
            task_arn: task_arn.clone(),
            name: c.name.clone(),
            image: c.image.clone(),
            image_digest: t.started_at.map(|_| arn::image_digest(&c.image)),
            last_status: t.last_status.clone(),
            exit_code: (t.last_status == "STOPPED" && t.started_at.is_some())
                .then_some(if t.stop_code.as_deref() == Some("EssentialContainerExited") { 1 } else { 0 }),
            reason: (t.last_status == "STOPPED").then(|| t.stopped_reason.clone()).flatten(),
            health_status: "UNKNOWN".into(),
            cpu: Some(t.cpu.to_string()),
            memory: Some(t.memory.to_string()),
        })
        .collect();
    let _ = st;
    out::Task {
        availability_zone: "us-east-1a".into(),
        capacity_provider_name: t.provider.clone(),
        cluster_arn: st.scope.cluster(&t.cluster),
        connectivity: "CONNECTED".into(),
        connectivity_at: ts(t.created_at),
        container_instance_arn: st.scope.container_instance(&t.cluster, &t.instance),
        containers,
        cpu: t.cpu.to_string(),
        created_at: ts(t.created_at),
        desired_status: t.desired_status.clone(),
        enable_execute_command: t.exec,
        group: t.group.clone(),
        health_status: "UNKNOWN".into(),
        last_status: t.last_status.clone(),
        launch_type: "MANAGED_INSTANCES".into(),
        memory: t.memory.to_string(),
        pull_started_at: pulled.map(|_| ts(t.created_at)),
        pull_stopped_at: pulled.map(ts),
        started_at: t.started_at.map(ts),
        started_by: t.started_by.clone(),
        stop_code: t.stop_code.clone(),
        stopped_at: t.stopped_at.map(ts),
        stopped_reason: t.stopped_reason.clone(),
        stopping_at: t.stopping_at.map(ts),
        tags: with_tags.then(Vec::new),
        task_arn,
        task_definition_arn: t.task_definition_arn.clone(),
        version: t.version,
    }
}

pub fn describe_tasks(st: &mut State, req: DescribeTasks) -> ApiResult<String> {
    let cluster = cluster_of(st, &req.cluster)?;
    let refs = require(req.tasks, "tasks")?;
    check_describe_count(refs.len(), "tasks", 100)?;
    let include = req.include.unwrap_or_default();
    for i in &include {
        check_enum(&Some(i.clone()), "include", &["TAGS"])?;
    }
    let with_tags = include.iter().any(|i| i == "TAGS");
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for r in &refs {
        let t = arn::last_segment(r, "task").and_then(|id| st.tasks.get(id)).filter(|t| t.cluster == cluster);
        match t {
            Some(t) => found.push(task_wire(st, t, with_tags)),
            None => failures.push(missing(r)),
        }
    }
    reply(&json!({ "tasks": found, "failures": failures }))
}
