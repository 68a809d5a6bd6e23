//! ListTagsForResource: DescribeDaemon does not return a daemon's tags (AWS tools read them here).

use std::collections::BTreeMap;

use super::{error::GatewayError, EcsGateway};

impl EcsGateway {
    /// The tags of a daemon or daemon task definition, by key. Read fresh: only exports ask.
    pub async fn resource_tags(&self, arn: &str) -> Result<BTreeMap<String, String>, GatewayError> {
        let out = self.ecs.client.list_tags_for_resource().resource_arn(arn).send().await?;
        Ok(out
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
            .collect())
    }
}
