//! Pipelines and promotions.

use app::{
    api::promotions::{PipelineView, PromotionEventView, PromotionRow, PromotionView, StageView},
    domain::pipeline::{PipelineDraft, StageDraft, StageSpec},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub name: String,
    /// "" = the default environment.
    pub environment: String,
    pub cluster: String,
    pub daemon: String,
    pub capacity_providers: Vec<String>,
    pub drain_percent: f64,
    pub bake_time_minutes: u32,
    pub alarms: Vec<String>,
    pub rollback_on_alarm: bool,
    pub soak_seconds: u32,
    pub manual_promote: bool,
}

impl From<StageSpec> for Stage {
    fn from(s: StageSpec) -> Self {
        Self {
            name: s.name,
            environment: s.environment,
            cluster: s.cluster,
            daemon: s.daemon,
            capacity_providers: s.capacity_providers,
            drain_percent: s.drain_percent,
            bake_time_minutes: s.bake_time_minutes,
            alarms: s.alarms,
            rollback_on_alarm: s.rollback_on_alarm,
            soak_seconds: s.soak_seconds,
            manual_promote: s.manual_promote,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    pub name: String,
    pub description: String,
    pub stages: Vec<Stage>,
    pub created_by: String,
    pub updated_at: i64,
}

impl From<PipelineView> for Pipeline {
    fn from(p: PipelineView) -> Self {
        Self {
            name: p.name,
            description: p.description,
            stages: p.stages.into_iter().map(Stage::from).collect(),
            created_by: p.created_by,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelinePage {
    pub items: Vec<Pipeline>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageState {
    pub stage: String,
    /// `waiting`, `running`, `soaking`, `succeeded`, `failed`, …
    pub state: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionSummary {
    pub id: String,
    pub pipeline: String,
    /// `family:revision`.
    pub revision: String,
    /// `running`, `paused`, `succeeded`, `failed`, `aborted`.
    pub state: String,
    pub requested_by: String,
    pub reason: String,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub stages: Vec<StageState>,
}

impl From<PromotionRow> for PromotionSummary {
    fn from(r: PromotionRow) -> Self {
        Self {
            id: r.id,
            pipeline: r.pipeline,
            revision: r.revision,
            state: r.state.as_str().to_string(),
            requested_by: r.requested_by,
            reason: r.reason,
            created_at: r.created_at,
            finished_at: r.finished_at,
            stages: r
                .stages
                .into_iter()
                .map(|(stage, state)| StageState { stage, state: state.as_str().to_string() })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionPage {
    pub items: Vec<PromotionSummary>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    pub name: String,
    /// `open` (not reached), `waiting`, `passed` or `failed`.
    pub state: String,
    /// The live value: "3 of 4 instances on cwagent:2", "1 min 20 s left".
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageStatus {
    pub position: i64,
    pub name: String,
    pub target: String,
    pub state: String,
    pub gates: Vec<Gate>,
    pub on_target: i64,
    pub instances: i64,
    /// "" until the stage's change request is made.
    pub request_id: String,
    pub rollback_request_id: String,
    pub previous_revision: String,
    pub note: String,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

impl From<StageView> for StageStatus {
    fn from(s: StageView) -> Self {
        Self {
            position: s.position,
            name: s.name,
            target: s.target,
            state: s.state.as_str().to_string(),
            gates: s
                .gates
                .into_iter()
                .map(|g| Gate {
                    name: g.name,
                    state: serde_json::to_value(g.state)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    detail: g.detail,
                })
                .collect(),
            on_target: s.on_target as i64,
            instances: s.instances as i64,
            request_id: s.request_id,
            rollback_request_id: s.rollback_request_id,
            previous_revision: s.previous_revision,
            note: s.note,
            started_at: s.started_at,
            finished_at: s.finished_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionEvent {
    pub at: i64,
    pub stage: String,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

impl From<PromotionEventView> for PromotionEvent {
    fn from(e: PromotionEventView) -> Self {
        Self { at: e.at, stage: e.stage, actor: e.actor, kind: e.kind, detail: e.detail }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Promotion {
    pub promotion: PromotionSummary,
    /// Grows at every transition.
    pub version: i64,
    pub current_stage: i64,
    pub stages: Vec<StageStatus>,
    pub events: Vec<PromotionEvent>,
    pub can_roll_back: bool,
    pub may_steer: bool,
    pub may_promote: bool,
}

impl From<PromotionView> for Promotion {
    fn from(v: PromotionView) -> Self {
        Self {
            promotion: v.row.into(),
            version: v.version,
            current_stage: v.current_stage,
            stages: v.stages.into_iter().map(StageStatus::from).collect(),
            events: v.events.into_iter().map(PromotionEvent::from).collect(),
            can_roll_back: v.can_roll_back,
            may_steer: v.may_steer,
            may_promote: v.may_promote,
        }
    }
}

/// The body of `PUT /pipelines/{name}`, in JSON or TOML: the editor's fields, checked by the
/// same rules.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineDocument {
    /// Absent: the URL's.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub stages: Vec<StageDocument>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageDocument {
    pub name: String,
    /// "" = the default environment.
    #[serde(default)]
    pub environment: String,
    pub cluster: String,
    pub daemon: String,
    pub capacity_providers: Vec<String>,
    /// Absent: 25.
    #[serde(default)]
    pub drain_percent: Option<f64>,
    #[serde(default)]
    pub bake_time_minutes: Option<u32>,
    #[serde(default)]
    pub alarms: Vec<String>,
    #[serde(default)]
    pub rollback_on_alarm: bool,
    /// How long the stage runs with none of its alarms in ALARM before the next starts.
    #[serde(default)]
    pub soak_seconds: u32,
    /// The next stage waits for an approver's promote after this one's soak.
    #[serde(default)]
    pub manual_promote: bool,
}

impl PipelineDocument {
    pub fn into_draft(self) -> PipelineDraft {
        PipelineDraft {
            name: self.name,
            description: self.description,
            stages: self
                .stages
                .into_iter()
                .map(|s| StageDraft {
                    name: s.name,
                    environment: s.environment,
                    cluster: s.cluster,
                    daemon: s.daemon,
                    capacity_providers: s.capacity_providers,
                    drain_percent: s.drain_percent,
                    bake_time_minutes: s.bake_time_minutes,
                    alarms: s.alarms,
                    rollback_on_alarm: s.rollback_on_alarm,
                    soak_seconds: s.soak_seconds,
                    manual_promote: s.manual_promote,
                })
                .collect(),
        }
    }
}

/// The body of `POST /promotions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartPromotion {
    pub pipeline: String,
    /// `family:revision`.
    pub revision: String,
}

/// The body of `POST /promotions/{id}/{action}` (optional: pause and resume need none).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SteerPromotion {
    /// Abort: also send the stage in progress back to its previous revision.
    pub roll_back_current: bool,
    /// Promote: the stage's position (0 = first).
    pub stage: i64,
}
