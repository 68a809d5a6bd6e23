//! What the admin pages do to approval policies and freeze windows (callers have checked
//! `is_admin`). A policy may only name teams that exist.

use crate::{
    api::admin::*,
    domain::policy::{FreezeWindow, Policy, ANY_ENVIRONMENT},
};

use super::{approval_policies as policies, error::PolicyError, freezes, Policies};
use crate::services::{accounts::teams, clock::now_ms};

impl Policies {
    /// `*`, or an environment the portal has.
    pub(super) async fn check_environment(&self, name: &str) -> Result<(), PolicyError> {
        if name == ANY_ENVIRONMENT {
            return Ok(());
        }
        let found = sqlx::query("SELECT 1 AS k FROM environments WHERE name = $1")
            .bind(name)
            .fetch_optional(self.db.pool())
            .await?;
        found.map(|_| ()).ok_or_else(|| PolicyError::UnknownEnvironment(name.to_string()))
    }

    pub async fn list_policies(&self) -> Result<Vec<PolicyView>, PolicyError> {
        Ok(policies::list(&self.db)
            .await?
            .into_iter()
            .map(|r| PolicyView { policy: r.policy, updated_at: r.updated_at, updated_by: r.updated_by })
            .collect())
    }

    pub async fn save_policy(&self, policy: &Policy, actor: &str) -> Result<(), PolicyError> {
        self.check_environment(&policy.environment).await?;
        // A misspelt team would make the policy impossible to satisfy: nobody could approve.
        let teams = teams::list_teams(&self.db).await?;
        let missing: Vec<String> = policy
            .approver_teams
            .iter()
            .filter(|t| !teams.iter().any(|known| &known.name == *t))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(PolicyError::UnknownApproverTeams(missing));
        }
        Ok(policies::upsert(&self.db, policy, actor).await?)
    }

    pub async fn delete_policy(
        &self,
        environment: &str,
        cluster: &str,
        capacity_provider: &str,
    ) -> Result<(), PolicyError> {
        policies::delete(&self.db, environment, cluster, capacity_provider)
            .await?
            .then_some(())
            .ok_or_else(|| PolicyError::NoSuchPolicy(policy_target(environment, cluster, capacity_provider)))
    }

    pub async fn list_freezes(&self) -> Result<Vec<FreezeView>, PolicyError> {
        let now = now_ms();
        Ok(freezes::list(&self.db)
            .await?
            .into_iter()
            .map(|r| FreezeView {
                description: r.window.schedule.describe(),
                active_now: r.window.covers(now),
                window: r.window,
                created_by: r.created_by,
                created_at: r.created_at,
            })
            .collect())
    }

    pub async fn save_freeze(&self, window: &FreezeWindow, actor: &str) -> Result<String, PolicyError> {
        self.check_environment(&window.environment).await?;
        if !window.id.is_empty() && freezes::get(&self.db, &window.id).await?.is_none() {
            return Err(PolicyError::NoSuchFreeze);
        }
        Ok(freezes::save(&self.db, window, actor).await?)
    }

    pub async fn delete_freeze(&self, id: &str) -> Result<(), PolicyError> {
        freezes::delete(&self.db, id).await?.then_some(()).ok_or_else(|| PolicyError::NoSuchFreeze)
    }
}
