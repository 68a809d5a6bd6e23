//! Registering a revision exactly once. RegisterDaemonTaskDefinition takes no clientToken, so
//! a repeated call registers another revision. Before the call the executor writes down the
//! family's newest revision (its baseline); after a crash or an ambiguous answer it looks for a
//! revision newer than that with this request's definition, and adopts it instead of sending
//! again.

use super::{error::ChangeError, ChangeEngine};
use crate::domain::task_definition::TaskDefinitionSpec;

/// The family's newest revision number, as text ("0" when it has none).
pub async fn baseline(state: &ChangeEngine, family: &str) -> Result<String, ChangeError> {
    let revisions =
        state.gateway.list_task_definition_revisions(Some(family.to_string()), None, None, true).await?;
    Ok(revisions.iter().map(|r| r.revision).max().unwrap_or(0).to_string())
}

/// A revision newer than `baseline` whose definition is `definition`: the one an earlier
/// attempt registered.
pub async fn find_registered(
    state: &ChangeEngine,
    definition: &TaskDefinitionSpec,
    baseline: &str,
) -> Result<Option<String>, ChangeError> {
    let since: u32 = baseline.parse().unwrap_or(0);
    let family = definition.family.as_str();
    let revisions =
        state.gateway.list_task_definition_revisions(Some(family.to_string()), None, None, true).await?;
    for r in revisions.iter().filter(|r| r.revision > since) {
        let record = state.gateway.describe_task_definition(family, r.revision).await?;
        if record.spec.to_json() == definition.to_json() {
            return Ok(Some(record.arn));
        }
    }
    Ok(None)
}
