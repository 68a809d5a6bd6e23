//! What the admin pages do to users, teams and memberships (callers have checked `is_admin`).

use crate::{
    api::{admin::*, PortalError},
    auth::Role,
};

use super::{
    password,
    teams::{self as accounts, MembershipError},
    users, Accounts,
};

fn no_user(username: &str) -> PortalError {
    PortalError::NotFound(format!("There is no user {username}."))
}

fn no_team(team: &str) -> PortalError {
    PortalError::NotFound(format!("There is no team {team}."))
}

impl Accounts {
    pub async fn list_users(&self) -> Result<Vec<UserView>, PortalError> {
        Ok(accounts::list_users(&self.db)
            .await?
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

    pub async fn create_user(
        &self,
        username: &str,
        password: &str,
        is_admin: bool,
    ) -> Result<(), PortalError> {
        let hash = password::hash_async(password.to_string()).await.map_err(PortalError::Internal)?;
        match users::create(&self.db, username, &hash, is_admin).await? {
            Some(_) => Ok(()),
            None => Err(PortalError::invalid("username", format!("The username {username} is taken."))),
        }
    }

    pub async fn reset_password(&self, username: &str, password: &str) -> Result<(), PortalError> {
        let hash = password::hash_async(password.to_string()).await.map_err(PortalError::Internal)?;
        accounts::set_password(&self.db, username, &hash)
            .await?
            .then_some(())
            .ok_or_else(|| no_user(username))
    }

    pub async fn set_disabled(&self, username: &str, disabled: bool) -> Result<(), PortalError> {
        accounts::set_disabled(&self.db, username, disabled)
            .await?
            .then_some(())
            .ok_or_else(|| no_user(username))
    }

    pub async fn set_admin(&self, username: &str, is_admin: bool) -> Result<(), PortalError> {
        accounts::set_admin(&self.db, username, is_admin)
            .await?
            .then_some(())
            .ok_or_else(|| no_user(username))
    }

    pub async fn list_teams(&self) -> Result<TeamsOverview, PortalError> {
        let teams = accounts::list_teams(&self.db).await?;
        let users = accounts::list_users(&self.db).await?;
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

    pub async fn create_team(&self, name: &str) -> Result<(), PortalError> {
        if accounts::create_team(&self.db, name).await? {
            Ok(())
        } else {
            Err(PortalError::invalid("name", format!("There is already a team {name}.")))
        }
    }

    pub async fn delete_team(&self, name: &str) -> Result<(), PortalError> {
        accounts::delete_team(&self.db, name).await?.then_some(()).ok_or_else(|| no_team(name))
    }

    pub async fn set_membership(
        &self,
        username: &str,
        team: &str,
        role: Role,
    ) -> Result<Option<Role>, PortalError> {
        match accounts::set_membership(&self.db, username, team, role).await? {
            Ok(previous) => Ok(previous),
            Err(MembershipError::NoSuchUser) => {
                Err(PortalError::invalid("username", format!("There is no user {username}.")))
            }
            Err(MembershipError::NoSuchTeam) => {
                Err(PortalError::invalid("team", format!("There is no team {team}.")))
            }
        }
    }

    pub async fn remove_membership(&self, username: &str, team: &str) -> Result<(), PortalError> {
        accounts::remove_membership(&self.db, username, team)
            .await?
            .then_some(())
            .ok_or_else(|| PortalError::NotFound(format!("{username} is not a member of {team}.")))
    }
}
