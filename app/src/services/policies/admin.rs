//! What the admin pages do to approval policies and freeze windows (callers have checked
//! `is_admin`). A policy may only name teams that exist.

use crate::{
    api::{admin::*, PortalError},
    domain::policy::{FreezeWindow, Policy},
};

use super::{approval_policies as policies, freezes, Policies};
use crate::services::{accounts::teams, clock::now_ms};

impl Policies {
    pub async fn list_policies(&self) -> Result<Vec<PolicyView>, PortalError> {
        Ok(policies::list(&self.db)
            .await?
            .into_iter()
            .map(|r| PolicyView { policy: r.policy, updated_at: r.updated_at, updated_by: r.updated_by })
            .collect())
    }

    pub async fn save_policy(&self, policy: &Policy, actor: &str) -> Result<(), PortalError> {
        // A misspelt team would make the policy impossible to satisfy: nobody could approve.
        let teams = teams::list_teams(&self.db).await?;
        let missing: Vec<&str> = policy
            .approver_teams
            .iter()
            .filter(|t| !teams.iter().any(|known| &known.name == *t))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(PortalError::invalid(
                "approver_teams",
                format!("There is no team {}; create it under Teams first.", missing.join(", ")),
            ));
        }
        Ok(policies::upsert(&self.db, policy, actor).await?)
    }

    pub async fn delete_policy(&self, cluster: &str, capacity_provider: &str) -> Result<(), PortalError> {
        policies::delete(&self.db, cluster, capacity_provider).await?.then_some(()).ok_or_else(|| {
            PortalError::NotFound(format!(
                "There is no policy for {}.",
                policy_target(cluster, capacity_provider)
            ))
        })
    }

    pub async fn list_freezes(&self) -> Result<Vec<FreezeView>, PortalError> {
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

    pub async fn save_freeze(&self, window: &FreezeWindow, actor: &str) -> Result<String, PortalError> {
        if !window.id.is_empty() && freezes::get(&self.db, &window.id).await?.is_none() {
            return Err(PortalError::NotFound("That freeze window no longer exists.".into()));
        }
        Ok(freezes::save(&self.db, window, actor).await?)
    }

    pub async fn delete_freeze(&self, id: &str) -> Result<(), PortalError> {
        freezes::delete(&self.db, id)
            .await?
            .then_some(())
            .ok_or_else(|| PortalError::NotFound("That freeze window no longer exists.".into()))
    }
}
