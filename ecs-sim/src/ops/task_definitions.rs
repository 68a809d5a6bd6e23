//! Register/Describe/List/DeleteDaemonTaskDefinition.

use super::*;
use crate::arn;
use crate::model::input::{DaemonTaskDefinitionRef, ListDaemonTaskDefinitions, RegisterDaemonTaskDefinition};
use crate::model::{output as out, ts};
use crate::state::TaskDefinition;
use serde_json::Value;

fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(a) => {
            a.retain(|x| !x.is_null());
            a.iter_mut().for_each(strip_nulls);
        }
        _ => {}
    }
}

/// "256", "0.25 vCPU" or "1 vcpu" → CPU units.
fn parse_cpu(s: &str) -> Option<u32> {
    let t = s.trim().to_ascii_lowercase();
    if let Some(v) = t.strip_suffix("vcpu") {
        let f: f64 = v.trim().parse().ok()?;
        return (f > 0.0).then(|| (f * 1024.0).round() as u32);
    }
    t.parse().ok()
}

/// "512", "1 GB" or "1GB" → MiB.
fn parse_memory(s: &str) -> Option<u32> {
    let t = s.trim().to_ascii_lowercase();
    if let Some(v) = t.strip_suffix("gb") {
        let f: f64 = v.trim().parse().ok()?;
        return (f > 0.0).then(|| (f * 1024.0).round() as u32);
    }
    t.strip_suffix("mb").unwrap_or(&t).trim().parse().ok()
}

fn int_member(c: &Value, name: &str) -> u32 {
    c.get(name).and_then(Value::as_u64).unwrap_or(0) as u32
}

pub fn register(st: &mut State, req: RegisterDaemonTaskDefinition) -> ApiResult<String> {
    let family = require_str(req.family, "family")?;
    check_name(&family, "family")?;
    let mut containers = require(req.container_definitions, "containerDefinitions")?;
    if containers.is_empty() {
        return Err(ApiError::invalid("containerDefinitions must not be empty."));
    }
    if containers.len() > 10 {
        return Err(ApiError::invalid("A daemon task definition can have at most 10 containers."));
    }
    let mut images = Vec::new();
    let mut names = std::collections::HashSet::new();
    let (mut sum_cpu, mut sum_mem) = (0u32, 0u32);
    for c in containers.iter_mut() {
        strip_nulls(c);
        let Some(obj) = c.as_object() else {
            return Err(ApiError::new("SerializationException", "containerDefinitions must be objects."));
        };
        let name = obj.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        check_name(&name, "containerDefinitions.name")?;
        if !names.insert(name.clone()) {
            return Err(ApiError::invalid(format!("Duplicate container name '{name}'.")));
        }
        let image = match obj.get("image") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(ApiError::invalid(format!("Container '{name}': image is required."))),
        };
        for member in ["cpu", "memory", "memoryReservation"] {
            if let Some(v) = obj.get(member) {
                if v.as_i64().is_none_or(|n| n < 0) {
                    return Err(ApiError::invalid(format!(
                        "Container '{name}': {member} must be a non-negative integer."
                    )));
                }
            }
        }
        sum_cpu += int_member(c, "cpu");
        let mem = int_member(c, "memory").max(int_member(c, "memoryReservation"));
        sum_mem += mem;
        images.push((name, image));
    }
    let cpu_units = match &req.cpu {
        Some(s) => parse_cpu(s).ok_or_else(|| ApiError::invalid(format!("Invalid cpu value '{s}'.")))?,
        None => sum_cpu,
    };
    let memory_mib = match &req.memory {
        Some(s) => {
            parse_memory(s).ok_or_else(|| ApiError::invalid(format!("Invalid memory value '{s}'.")))?
        }
        None => sum_mem,
    };
    check_enum(&req.pid_mode, "pidMode", &["none", "shared"])?;
    check_enum(&req.ipc_mode, "ipcMode", &["none", "shared"])?;
    let tags = check_tags(&req.tags)?;
    let mut volumes = req.volumes;
    if let Some(vs) = volumes.as_mut() {
        for v in vs.iter_mut() {
            strip_nulls(v);
            if v.get("name").and_then(Value::as_str).is_none_or(str::is_empty) {
                return Err(ApiError::invalid("Every volume needs a name."));
            }
        }
    }
    let td = TaskDefinition {
        family,
        revision: 0,
        status: String::new(),
        registered_at: 0,
        delete_requested_at: None,
        task_role_arn: req.task_role_arn,
        execution_role_arn: req.execution_role_arn,
        container_definitions: containers,
        volumes,
        cpu: req.cpu,
        memory: req.memory,
        pid_mode: req.pid_mode,
        ipc_mode: req.ipc_mode,
        tags,
        cpu_units,
        memory_mib,
        images,
    };
    let arn = st.register_task_definition(td);
    reply(&serde_json::json!({ "daemonTaskDefinitionArn": arn }))
}

fn wire(scope: &crate::arn::Scope, td: &TaskDefinition) -> out::DaemonTaskDefinition {
    out::DaemonTaskDefinition {
        daemon_task_definition_arn: td.arn(scope),
        family: td.family.clone(),
        revision: td.revision,
        task_role_arn: td.task_role_arn.clone(),
        execution_role_arn: td.execution_role_arn.clone(),
        container_definitions: td.container_definitions.clone(),
        volumes: td.volumes.clone(),
        cpu: td.cpu.clone(),
        memory: td.memory.clone(),
        status: td.status.clone(),
        registered_at: ts(td.registered_at),
        delete_requested_at: td.delete_requested_at.map(ts),
        registered_by: scope.registered_by(),
        pid_mode: td.pid_mode.clone(),
        ipc_mode: td.ipc_mode.clone(),
    }
}

fn lookup<'a>(st: &'a State, reference: &str) -> ApiResult<&'a TaskDefinition> {
    st.resolve_task_definition(reference).ok_or_else(|| {
        ApiError::client(format!(
            "Unable to describe daemon task definition '{reference}': it does not exist or has no ACTIVE revision."
        ))
    })
}

pub fn describe(st: &mut State, req: DaemonTaskDefinitionRef) -> ApiResult<String> {
    let r = require_str(req.daemon_task_definition, "daemonTaskDefinition")?;
    let td = lookup(st, &r)?;
    reply(&serde_json::json!({ "daemonTaskDefinition": wire(&st.scope, td) }))
}

pub fn delete(st: &mut State, req: DaemonTaskDefinitionRef) -> ApiResult<String> {
    let r = require_str(req.daemon_task_definition, "daemonTaskDefinition")?;
    if !r.contains(':')
        || (r.starts_with("arn:")
            && arn::last_segment(&r, "daemon-task-definition").is_none_or(|s| !s.contains(':')))
    {
        return Err(ApiError::invalid(
            "daemonTaskDefinition must name a revision (family:revision or a full ARN).",
        ));
    }
    let td = lookup(st, &r)?;
    if td.status != "ACTIVE" {
        return Err(ApiError::client(format!(
            "Daemon task definition {} is not ACTIVE (status {}).",
            td.arn(&st.scope),
            td.status
        )));
    }
    let (family, rev, arn) = (td.family.clone(), td.revision, td.arn(&st.scope));
    st.delete_task_definition(&family, rev);
    reply(&serde_json::json!({ "daemonTaskDefinitionArn": arn }))
}

pub fn list(st: &mut State, req: ListDaemonTaskDefinitions) -> ApiResult<String> {
    check_enum(&req.revision, "revision", &["LAST_REGISTERED"])?;
    check_enum(&req.status, "status", &["ACTIVE", "DELETE_IN_PROGRESS", "ALL"])?;
    check_enum(&req.sort, "sort", &["ASC", "DESC"])?;
    let size = page_size(req.max_results, 100)?;
    let after = cursor(&req.next_token)?;
    let status = req.status.as_deref().unwrap_or("ACTIVE");
    let desc = req.sort.as_deref() == Some("DESC");
    let last_only = req.revision.is_some();
    // Sort key: family, then zero-padded revision, so revisions sort numerically.
    let mut items: Vec<(String, &TaskDefinition)> = Vec::new();
    for (family, revs) in &st.task_definitions {
        if req.family.as_ref().is_some_and(|f| f != family) {
            continue;
        }
        if req.family_prefix.as_ref().is_some_and(|p| !family.starts_with(p.as_str())) {
            continue;
        }
        let mut matching = revs.iter().filter(|t| status == "ALL" || t.status == status);
        let selected: Vec<&TaskDefinition> =
            if last_only { matching.next_back().into_iter().collect() } else { matching.collect() };
        for td in selected {
            items.push((format!("{family}\u{0}{:010}", td.revision), td));
        }
    }
    if desc {
        items.reverse();
    }
    let start = match &after {
        Some(c) => items.iter().position(|(k, _)| if desc { k < c } else { k > c }).unwrap_or(items.len()),
        None => 0,
    };
    let page = &items[start..(start + size).min(items.len())];
    let next = (start + size < items.len()).then(|| arn::encode_token(&page[page.len() - 1].0));
    let summaries: Vec<out::DaemonTaskDefinitionSummary> = page
        .iter()
        .map(|(_, td)| out::DaemonTaskDefinitionSummary {
            arn: td.arn(&st.scope),
            registered_at: ts(td.registered_at),
            registered_by: st.scope.registered_by(),
            delete_requested_at: td.delete_requested_at.map(ts),
            status: td.status.clone(),
        })
        .collect();
    let mut resp = serde_json::json!({ "daemonTaskDefinitions": summaries });
    if let Some(n) = next {
        resp["nextToken"] = Value::String(n);
    }
    reply(&resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_and_memory_forms() {
        assert_eq!(parse_cpu("256"), Some(256));
        assert_eq!(parse_cpu("0.25 vCPU"), Some(256));
        assert_eq!(parse_cpu("1 vcpu"), Some(1024));
        assert_eq!(parse_cpu("abc"), None);
        assert_eq!(parse_memory("512"), Some(512));
        assert_eq!(parse_memory("1 GB"), Some(1024));
        assert_eq!(parse_memory("2GB"), Some(2048));
    }
}
