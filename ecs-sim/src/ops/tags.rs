//! ListTagsForResource, for the resources this emulator keeps tags on: daemons and daemon task
//! definitions (DescribeDaemon does not return a daemon's tags; AWS tools read them here).

use super::*;
use crate::arn;
use crate::model::input::ListTagsForResource;
use serde_json::json;

pub fn list(st: &mut State, req: ListTagsForResource) -> ApiResult<String> {
    let r = require_str(req.resource_arn, "resourceArn")?;
    let tags = match arn::parse(&r) {
        Some(("daemon", _)) => {
            let canonical = daemons::resolve_daemon(st, &r)?;
            st.daemons[&canonical].tags.clone()
        }
        Some(("daemon-task-definition", _)) => st
            .resolve_task_definition(&r)
            .map(|td| td.tags.clone())
            .ok_or_else(|| ApiError::client(format!("The daemon task definition {r} does not exist.")))?,
        _ => return Err(ApiError::invalid(format!("ecs-sim keeps no tags for {r}."))),
    };
    let tags: Vec<_> = tags.into_iter().map(|(k, v)| json!({"key": k, "value": v})).collect();
    reply(&json!({ "tags": tags }))
}
