//! `AdminBackend`: users, teams, memberships, policies and freeze windows (see `crate::admin`).

use app::{
    api::{admin::*, PortalError},
    auth::Role,
    backend::AdminBackend,
    domain::policy::{FreezeWindow, Policy},
};

use crate::{
    admin::{
        accounts::{self, MembershipError},
        freezes, policies,
    },
    auth::{db_error, now_ms, password, users},
    state::AppState,
};

fn no_user(username: &str) -> PortalError {
    PortalError::NotFound(format!("There is no user {username}."))
}

fn no_team(team: &str) -> PortalError {
    PortalError::NotFound(format!("There is no team {team}."))
}

#[async_trait::async_trait]
impl AdminBackend for AppState {
    async fn admin_list_users(&self) -> Result<Vec<UserView>, PortalError> {
        Ok(accounts::list_users(&self.db)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|u| UserView {
                username: u.username,
                is_admin: u.is_admin,
                disabled: u.disabled,
                created_at: u.created_at,
                teams: u.teams,
            })
            .collect())
    }

    async fn admin_create_user(
        &self,
        username: &str,
        password: &str,
        is_admin: bool,
    ) -> Result<(), PortalError> {
        let hash = password::hash_async(password.to_string()).await.map_err(PortalError::Internal)?;
        match users::create(&self.db, username, &hash, is_admin).await.map_err(db_error)? {
            Some(_) => Ok(()),
            None => Err(PortalError::invalid("username", format!("The username {username} is taken."))),
        }
    }

    async fn admin_reset_password(&self, username: &str, password: &str) -> Result<(), PortalError> {
        let hash = password::hash_async(password.to_string()).await.map_err(PortalError::Internal)?;
        accounts::set_password(&self.db, username, &hash)
            .await
            .map_err(db_error)?
            .then_some(())
            .ok_or_else(|| no_user(username))
    }

    async fn admin_set_disabled(&self, username: &str, disabled: bool) -> Result<(), PortalError> {
        accounts::set_disabled(&self.db, username, disabled)
            .await
            .map_err(db_error)?
            .then_some(())
            .ok_or_else(|| no_user(username))
    }

    async fn admin_set_admin(&self, username: &str, is_admin: bool) -> Result<(), PortalError> {
        accounts::set_admin(&self.db, username, is_admin)
            .await
            .map_err(db_error)?
            .then_some(())
            .ok_or_else(|| no_user(username))
    }

    async fn admin_list_teams(&self) -> Result<TeamsOverview, PortalError> {
        let teams = accounts::list_teams(&self.db).await.map_err(db_error)?;
        let users = accounts::list_users(&self.db).await.map_err(db_error)?;
        let memberships = users
            .iter()
            .flat_map(|u| {
                u.teams.iter().map(|(team, role)| MembershipView {
                    username: u.username.clone(),
                    team: team.clone(),
                    role: *role,
                })
            })
            .collect();
        Ok(TeamsOverview {
            teams: teams.into_iter().map(|t| TeamView { name: t.name, members: t.members }).collect(),
            memberships,
            usernames: users.into_iter().map(|u| u.username).collect(),
        })
    }

    async fn admin_create_team(&self, name: &str) -> Result<(), PortalError> {
        if accounts::create_team(&self.db, name).await.map_err(db_error)? {
            Ok(())
        } else {
            Err(PortalError::invalid("name", format!("There is already a team {name}.")))
        }
    }

    async fn admin_delete_team(&self, name: &str) -> Result<(), PortalError> {
        accounts::delete_team(&self.db, name)
            .await
            .map_err(db_error)?
            .then_some(())
            .ok_or_else(|| no_team(name))
    }

    async fn admin_set_membership(
        &self,
        username: &str,
        team: &str,
        role: Role,
    ) -> Result<Option<Role>, PortalError> {
        match accounts::set_membership(&self.db, username, team, role).await.map_err(db_error)? {
            Ok(previous) => Ok(previous),
            Err(MembershipError::NoSuchUser) => {
                Err(PortalError::invalid("username", format!("There is no user {username}.")))
            }
            Err(MembershipError::NoSuchTeam) => {
                Err(PortalError::invalid("team", format!("There is no team {team}.")))
            }
        }
    }

    async fn admin_remove_membership(&self, username: &str, team: &str) -> Result<(), PortalError> {
        accounts::remove_membership(&self.db, username, team)
            .await
            .map_err(db_error)?
            .then_some(())
            .ok_or_else(|| PortalError::NotFound(format!("{username} is not a member of {team}.")))
    }

    async fn admin_list_policies(&self) -> Result<Vec<PolicyView>, PortalError> {
        Ok(policies::list(&self.db)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|r| PolicyView { policy: r.policy, updated_at: r.updated_at, updated_by: r.updated_by })
            .collect())
    }

    async fn admin_save_policy(&self, policy: &Policy, actor: &str) -> Result<(), PortalError> {
        // A misspelt team would make the policy impossible to satisfy: nobody could approve.
        let teams = accounts::list_teams(&self.db).await.map_err(db_error)?;
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
        policies::upsert(&self.db, policy, actor).await.map_err(db_error)
    }

    async fn admin_delete_policy(&self, cluster: &str, capacity_provider: &str) -> Result<(), PortalError> {
        policies::delete(&self.db, cluster, capacity_provider)
            .await
            .map_err(db_error)?
            .then_some(())
            .ok_or_else(|| {
                PortalError::NotFound(format!(
                    "There is no policy for {}.",
                    policy_target(cluster, capacity_provider)
                ))
            })
    }

    async fn admin_list_freezes(&self) -> Result<Vec<FreezeView>, PortalError> {
        let now = now_ms();
        Ok(freezes::list(&self.db)
            .await
            .map_err(db_error)?
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

    async fn admin_save_freeze(&self, window: &FreezeWindow, actor: &str) -> Result<String, PortalError> {
        if !window.id.is_empty() && freezes::get(&self.db, &window.id).await.map_err(db_error)?.is_none() {
            return Err(PortalError::NotFound("That freeze window no longer exists.".into()));
        }
        freezes::save(&self.db, window, actor).await.map_err(db_error)
    }

    async fn admin_delete_freeze(&self, id: &str) -> Result<(), PortalError> {
        freezes::delete(&self.db, id)
            .await
            .map_err(db_error)?
            .then_some(())
            .ok_or_else(|| PortalError::NotFound("That freeze window no longer exists.".into()))
    }
}
