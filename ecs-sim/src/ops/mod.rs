//! The ECS operations: request JSON in, response JSON out, against `State`.
//! Validation follows the API reference; mutation lives in `crate::state`.

mod clusters;
mod daemons;
mod deployments;
mod tags;
mod task_definitions;
mod tasks;

use crate::error::{ApiError, ApiResult};
use crate::model::input::Tag;
use crate::state::State;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Operations this emulator implements (the `X-Amz-Target` suffixes).
pub const OPERATIONS: &[&str] = &[
    "RegisterDaemonTaskDefinition",
    "DescribeDaemonTaskDefinition",
    "ListDaemonTaskDefinitions",
    "DeleteDaemonTaskDefinition",
    "CreateDaemon",
    "UpdateDaemon",
    "DeleteDaemon",
    "DescribeDaemon",
    "ListDaemons",
    "DescribeDaemonRevisions",
    "DescribeDaemonDeployments",
    "ListDaemonDeployments",
    "ListClusters",
    "DescribeClusters",
    "DescribeCapacityProviders",
    "ListContainerInstances",
    "DescribeContainerInstances",
    "ListTasks",
    "DescribeTasks",
    "ListTagsForResource",
];

/// Does the operation change state (and so need persisting)?
pub fn is_mutation(op: &str) -> bool {
    matches!(
        op,
        "RegisterDaemonTaskDefinition"
            | "DeleteDaemonTaskDefinition"
            | "CreateDaemon"
            | "UpdateDaemon"
            | "DeleteDaemon"
    )
}

pub fn dispatch(st: &mut State, op: &str, body: &[u8]) -> ApiResult<String> {
    match op {
        "RegisterDaemonTaskDefinition" => task_definitions::register(st, parse(body)?),
        "DescribeDaemonTaskDefinition" => task_definitions::describe(st, parse(body)?),
        "ListDaemonTaskDefinitions" => task_definitions::list(st, parse(body)?),
        "DeleteDaemonTaskDefinition" => task_definitions::delete(st, parse(body)?),
        "CreateDaemon" => daemons::create(st, parse(body)?),
        "UpdateDaemon" => daemons::update(st, parse(body)?),
        "DeleteDaemon" => daemons::delete(st, parse(body)?),
        "DescribeDaemon" => daemons::describe(st, parse(body)?),
        "ListDaemons" => daemons::list(st, parse(body)?),
        "DescribeDaemonRevisions" => deployments::describe_revisions(st, parse(body)?),
        "DescribeDaemonDeployments" => deployments::describe(st, parse(body)?),
        "ListDaemonDeployments" => deployments::list(st, parse(body)?),
        "ListClusters" => clusters::list(st, parse(body)?),
        "DescribeClusters" => clusters::describe(st, parse(body)?),
        "DescribeCapacityProviders" => clusters::describe_capacity_providers(st, parse(body)?),
        "ListContainerInstances" => tasks::list_container_instances(st, parse(body)?),
        "DescribeContainerInstances" => tasks::describe_container_instances(st, parse(body)?),
        "ListTasks" => tasks::list_tasks(st, parse(body)?),
        "DescribeTasks" => tasks::describe_tasks(st, parse(body)?),
        "ListTagsForResource" => tags::list(st, parse(body)?),
        _ => Err(ApiError::new(
            "UnknownOperationException",
            format!("Operation {op} is not supported by ecs-sim"),
        )),
    }
}

/// An empty body reads as `{}`; anything that is not the right JSON shape is a
/// `SerializationException`, as AWS answers.
fn parse<T: DeserializeOwned + Default>(body: &[u8]) -> ApiResult<T> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new("SerializationException", format!("Could not parse the request body: {e}"))
    })
}

fn reply<T: Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(|e| ApiError::server(e.to_string()))
}

fn require<T>(value: Option<T>, member: &str) -> ApiResult<T> {
    value.ok_or_else(|| ApiError::invalid(format!("{member} is required.")))
}

fn require_str(value: Option<String>, member: &str) -> ApiResult<String> {
    match value {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::invalid(format!("{member} is required."))),
    }
}

/// Names: 1–255 letters, digits, hyphens and underscores.
fn check_name(value: &str, member: &str) -> ApiResult<()> {
    let ok = !value.is_empty()
        && value.len() <= 255
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "{member} must be 1-255 characters of letters, numbers, hyphens and underscores: '{value}'"
        )))
    }
}

fn check_tags(tags: &Option<Vec<Tag>>) -> ApiResult<Vec<(String, String)>> {
    let Some(tags) = tags else {
        return Ok(Vec::new());
    };
    if tags.len() > 50 {
        return Err(ApiError::invalid(format!("Too many tags: {} (at most 50 are allowed).", tags.len())));
    }
    let mut out = Vec::with_capacity(tags.len());
    for t in tags {
        let key = t.key.clone().unwrap_or_default();
        let value = t.value.clone().unwrap_or_default();
        if key.is_empty() || key.chars().count() > 128 {
            return Err(ApiError::invalid("Tag keys must be 1-128 characters."));
        }
        if value.chars().count() > 256 {
            return Err(ApiError::invalid("Tag values must be at most 256 characters."));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(ApiError::invalid("Tag keys may not begin with 'aws:'."));
        }
        out.push((key, value));
    }
    Ok(out)
}

fn check_enum(value: &Option<String>, member: &str, allowed: &[&str]) -> ApiResult<()> {
    match value {
        Some(v) if !allowed.contains(&v.as_str()) => Err(ApiError::invalid(format!(
            "Invalid value '{v}' for {member}; valid values are {}.",
            allowed.join(", ")
        ))),
        _ => Ok(()),
    }
}

fn page_size(max: Option<i64>, default: usize) -> ApiResult<usize> {
    match max {
        None => Ok(default),
        Some(n) if (1..=100).contains(&n) => Ok(n as usize),
        Some(n) => Err(ApiError::invalid(format!("maxResults must be between 1 and 100 (got {n})."))),
    }
}

/// The cursor inside a nextToken: the sort key of the last item returned.
fn cursor(token: &Option<String>) -> ApiResult<Option<String>> {
    match token {
        None => Ok(None),
        Some(t) if t.is_empty() => Ok(None),
        Some(t) => {
            crate::arn::decode_token(t).map(Some).ok_or_else(|| ApiError::invalid("Invalid nextToken."))
        }
    }
}

fn seq_cursor(token: &Option<String>) -> ApiResult<Option<u64>> {
    match cursor(token)? {
        None => Ok(None),
        Some(c) => c.parse().map(Some).map_err(|_| ApiError::invalid("Invalid nextToken.")),
    }
}

fn seq_token(seq: u64) -> String {
    crate::arn::encode_token(&seq.to_string())
}

/// Cluster name from an optional cluster reference (default `default`).
fn cluster_of(st: &State, reference: &Option<String>) -> ApiResult<String> {
    let r = reference.as_deref().filter(|s| !s.is_empty()).unwrap_or("default");
    let name = crate::arn::cluster_name(r).ok_or_else(ApiError::cluster_not_found)?;
    if st.clusters.contains_key(name) {
        Ok(name.to_string())
    } else {
        Err(ApiError::cluster_not_found())
    }
}

fn check_describe_count(n: usize, member: &str, max: usize) -> ApiResult<()> {
    if n == 0 {
        return Err(ApiError::invalid(format!("{member} must not be empty.")));
    }
    if n > max {
        return Err(ApiError::invalid(format!("{member} can have at most {max} items (got {n}).")));
    }
    Ok(())
}

fn missing(arn: &str) -> crate::model::output::Failure {
    crate::model::output::Failure { arn: arn.to_string(), reason: "MISSING".into(), detail: None }
}
