//! Pipelines and promotions: what their pages show, and the server functions that change them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::PortalError;
use crate::domain::{
    pipeline::{PipelineForm, StageSpec},
    promotion::{Gate, PromotionState, StageState},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineView {
    pub name: String,
    pub description: String,
    pub stages: Vec<StageSpec>,
    pub created_by: String,
    pub updated_at: i64,
}

/// A promotion in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromotionRow {
    pub id: String,
    pub pipeline: String,
    /// `family:revision`.
    pub revision: String,
    pub state: PromotionState,
    pub requested_by: String,
    pub reason: String,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    /// (stage name, state), in order.
    pub stages: Vec<(String, StageState)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageView {
    pub position: i64,
    pub name: String,
    /// Where it acts, for people.
    pub target: String,
    /// The daemon's page.
    pub daemon_href: String,
    pub state: StageState,
    pub gates: Vec<Gate>,
    /// Instances of the stage's providers that run the revision with a RUNNING daemon task.
    pub on_target: usize,
    pub instances: usize,
    pub request_id: String,
    pub rollback_request_id: String,
    pub previous_revision: String,
    pub note: String,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromotionEventView {
    pub at: i64,
    pub stage: String,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromotionView {
    pub row: PromotionRow,
    /// Grows at every transition (API clients can tell whether anything moved).
    pub version: i64,
    pub current_stage: i64,
    pub stages: Vec<StageView>,
    pub events: Vec<PromotionEventView>,
    /// Stages whose deployment went through and that have a revision to go back to.
    pub can_roll_back: bool,
    /// What the viewer may do.
    pub may_steer: bool,
    pub may_promote: bool,
}

/// A stage's blast radius (each provider's preview), or why it could not be read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageBlast {
    pub stage: String,
    pub target: String,
    pub providers: Result<Vec<crate::domain::blast_radius::ProviderBlast>, String>,
}

/// Every stage's blast radius: what a promotion through this pipeline will replace.
#[server(prefix = "/api", endpoint = "pipeline-blast-radius")]
pub async fn pipeline_blast_radius(name: String) -> Result<Vec<StageBlast>, PortalError> {
    let _user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    let p = s.promotions.pipeline(&name).await?;
    Ok(s.promotions.blast_radius(&p.spec.stages).await)
}

#[server(prefix = "/api", endpoint = "list-pipelines")]
pub async fn list_pipelines() -> Result<Vec<PipelineView>, PortalError> {
    let _user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    Ok(s.promotions.pipeline_views().await?)
}

#[server(prefix = "/api", endpoint = "get-pipeline")]
pub async fn get_pipeline(name: String) -> Result<PipelineView, PortalError> {
    let _user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    Ok(s.promotions.pipeline(&name).await.map(crate::services::promotions::views::pipeline_view)?)
}

/// Saves the editor's pipeline (`original`: the name it was opened under, "" for a new one).
/// Answers the page to go to.
#[server(prefix = "/api", endpoint = "save-pipeline")]
pub async fn save_pipeline(
    form: PipelineForm,
    #[server(default)] original: String,
) -> Result<String, PortalError> {
    let user = crate::auth::require_user()?;
    user.require_deployer()?;
    let spec = form.parse()?;
    if !original.is_empty() && original != spec.name {
        return Err(PortalError::invalid(
            "name",
            "A pipeline keeps its name; create a new one to use another.",
        ));
    }
    let s = crate::services::services()?;
    s.promotions.save_pipeline(&user, &crate::auth::client_ip(), &spec, original.is_empty()).await?;
    let href = format!("/pipelines/{}", spec.name);
    leptos_axum::redirect(&href);
    Ok(href)
}

#[server(prefix = "/api", endpoint = "list-promotions")]
pub async fn list_promotions(#[server(default)] pipeline: String) -> Result<Vec<PromotionRow>, PortalError> {
    let _user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    let pipeline = (!pipeline.is_empty()).then_some(pipeline.as_str());
    Ok(s.promotions.promotion_rows(pipeline, 100).await?)
}

#[server(prefix = "/api", endpoint = "get-promotion")]
pub async fn get_promotion(id: String) -> Result<PromotionView, PortalError> {
    let user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    Ok(s.promotions.promotion_view(&user, &id).await?)
}

/// Starts a promotion; answers (and without JavaScript redirects to) its page.
#[server(prefix = "/api", endpoint = "start-promotion")]
pub async fn start_promotion(pipeline: String, revision: String) -> Result<String, PortalError> {
    let user = crate::auth::require_user()?;
    user.require_deployer()?;
    let (family, rev) = crate::domain::promotion::parse_family_revision(&revision)
        .map_err(|m| PortalError::invalid("revision", m))?;
    let s = crate::services::services()?;
    let id = s.promotions.start(&user, &crate::auth::client_ip(), pipeline.trim(), &family, rev).await?;
    let href = format!("/promotions/{id}");
    leptos_axum::redirect(&href);
    Ok(href)
}

/// Pause, resume, abort (with or without sending the stage in progress back), promote a stage,
/// or roll back the stages of an ended promotion.
#[server(prefix = "/api", endpoint = "steer-promotion")]
pub async fn steer_promotion(
    id: String,
    action: String,
    #[server(default)] stage: i64,
    #[server(default)] roll_back_current: Option<String>,
) -> Result<String, PortalError> {
    let user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    let ip = crate::auth::client_ip();
    let p = &s.promotions;
    match action.as_str() {
        "pause" => p.pause(&user, &ip, &id).await?,
        "resume" => p.resume(&user, &ip, &id).await?,
        "abort" => p.abort(&user, &ip, &id, crate::domain::form::checked(&roll_back_current)).await?,
        "promote" => p.promote(&user, &ip, &id, stage).await?,
        "roll_back" => {
            p.roll_back_stages(&user, &ip, &id).await?;
        }
        other => {
            return Err(PortalError::invalid(
                "action",
                format!("{other:?} is not something a promotion does."),
            ))
        }
    }
    let href = format!("/promotions/{id}");
    leptos_axum::redirect(&href);
    Ok(href)
}
