//! What the admin pages do to users, teams and memberships (callers have checked `is_admin`).

use crate::{api::admin::*, auth::Role};

use super::{
    error::AccountsError,
    password,
    teams::{self as accounts, MembershipError},
    users, Accounts,
};

fn no_user(username: &str) -> AccountsError {
    AccountsError::NoSuchUser(username.to_string())
}

impl Accounts {
    pub async fn list_users(&self) -> Result<Vec<UserView>, AccountsError> {
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
    ) -> Result<(), AccountsError> {
        let hash =
            password::hash_async(password.to_string()).await.map_err(AccountsError::PasswordHashing)?;
        match users::create(&self.db, username, &hash, is_admin).await? {
            Some(_) => Ok(()),
            None => Err(AccountsError::UsernameTaken(username.to_string())),
        }
    }

    pub async fn reset_password(&self, username: &str, password: &str) -> Result<(), AccountsError> {
        let hash =
            password::hash_async(password.to_string()).await.map_err(AccountsError::PasswordHashing)?;
        accounts::set_password(&self.db, username, &hash)
            .await?
            .then_some(())
            .ok_or_else(|| no_user(username))
    }

    pub async fn set_disabled(&self, username: &str, disabled: bool) -> Result<(), AccountsError> {
        accounts::set_disabled(&self.db, username, disabled)
            .await?
            .then_some(())
            .ok_or_else(|| no_user(username))
    }

    pub async fn set_admin(&self, username: &str, is_admin: bool) -> Result<(), AccountsError> {
        accounts::set_admin(&self.db, username, is_admin)
            .await?
            .then_some(())
            .ok_or_else(|| no_user(username))
    }

    pub async fn list_teams(&self) -> Result<TeamsOverview, AccountsError> {
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

    pub async fn create_team(&self, name: &str) -> Result<(), AccountsError> {
        if accounts::create_team(&self.db, name).await? {
            Ok(())
        } else {
            Err(AccountsError::TeamExists(name.to_string()))
        }
    }

    pub async fn delete_team(&self, name: &str) -> Result<(), AccountsError> {
        accounts::delete_team(&self.db, name)
            .await?
            .then_some(())
            .ok_or_else(|| AccountsError::NoSuchTeam(name.to_string()))
    }

    pub async fn set_membership(
        &self,
        username: &str,
        team: &str,
        role: Role,
    ) -> Result<Option<Role>, AccountsError> {
        match accounts::set_membership(&self.db, username, team, role).await? {
            Ok(previous) => Ok(previous),
            Err(MembershipError::NoSuchUser) => Err(AccountsError::UnknownMember(username.to_string())),
            Err(MembershipError::NoSuchTeam) => Err(AccountsError::UnknownTeam(team.to_string())),
        }
    }

    pub async fn remove_membership(&self, username: &str, team: &str) -> Result<(), AccountsError> {
        accounts::remove_membership(&self.db, username, team).await?.then_some(()).ok_or_else(|| {
            AccountsError::NotAMember { username: username.to_string(), team: team.to_string() }
        })
    }
}
