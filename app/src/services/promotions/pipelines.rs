//! Saving and listing pipelines. A pipeline names daemons; it is checked against ECS only when a
//! promotion makes each stage's change request (where the change engine checks everything), so
//! a pipeline may name a daemon that does not exist yet.

use super::{store, PromotionError, Promotions};
use crate::{
    auth::CurrentUser,
    domain::pipeline::{embedded_example, PipelineSpec},
    services::{audit::log as audit, db::Db},
};

impl Promotions {
    pub async fn pipelines(&self) -> Result<Vec<store::PipelineRecord>, PromotionError> {
        Ok(store::pipelines(self.db()).await?)
    }

    pub async fn pipeline(&self, name: &str) -> Result<store::PipelineRecord, PromotionError> {
        store::pipeline_named(self.db(), name)
            .await?
            .ok_or_else(|| PromotionError::NotFound(format!("There is no pipeline named {name}.")))
    }

    /// Creates or replaces a pipeline (`only_new`: refuses a name in use, for the "Create" form).
    /// Every stage's environment must exist.
    pub async fn save_pipeline(
        &self,
        user: &CurrentUser,
        ip: &str,
        spec: &PipelineSpec,
        only_new: bool,
    ) -> Result<(), PromotionError> {
        user.require_deployer()?;
        for (i, stage) in spec.stages.iter().enumerate() {
            if !stage.environment.is_empty()
                && self.changes.gateways.get(Some(&stage.environment)).await.is_err()
            {
                return Err(PromotionError::invalid(
                    &format!("stages.{i}.environment"),
                    crate::domain::environment::no_such_environment(&stage.environment),
                ));
            }
        }
        if !store::save_pipeline(self.db(), spec, &user.username, only_new).await? {
            return Err(PromotionError::invalid(
                "name",
                format!("A pipeline named {} exists already.", spec.name),
            ));
        }
        let detail =
            serde_json::json!({"stages": spec.stages.iter().map(|s| s.name.clone()).collect::<Vec<_>>()});
        audit::record(self.db(), &user.username, ip, "pipeline.save", &spec.name, &detail).await?;
        Ok(())
    }

    pub async fn delete_pipeline(
        &self,
        user: &CurrentUser,
        ip: &str,
        name: &str,
    ) -> Result<(), PromotionError> {
        user.require_deployer()?;
        if !store::delete_pipeline(self.db(), name).await? {
            return Err(PromotionError::NotFound(format!("There is no pipeline named {name}.")));
        }
        audit::record(self.db(), &user.username, ip, "pipeline.delete", name, &serde_json::json!({})).await?;
        Ok(())
    }
}

/// In embedded mode, the example pipeline exists from the first start (an existing pipeline of
/// that name is left as it is).
pub async fn ensure_example(db: &Db, embedded: bool) -> Result<(), String> {
    if !embedded {
        return Ok(());
    }
    let spec = embedded_example().validate().map_err(|e| e.summary())?;
    store::save_pipeline(db, &spec, "portal", true).await.map_err(|e| e.to_string())?;
    Ok(())
}
