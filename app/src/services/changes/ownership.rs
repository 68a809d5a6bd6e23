//! Which team owns a daemon or a daemon task definition family, and whether a user may ask for
//! changes to it. The first team to deploy a daemon (or register a family) owns it; resources
//! nobody owns yet (made outside the portal) may be changed by any deployer.
//!
//! A daemon is owned in its environment (`cluster/daemon` in the default environment, as before
//! environments; `environment/cluster/daemon` elsewhere: names hold no `/`, so the two never
//! meet). A family is one product wherever it is registered, so its owner is the same in every
//! environment, and a copy to another environment stays with its team.

use crate::{
    auth::{CurrentUser, Role},
    domain::change::ChangeKind,
    services::changes::error::ChangeError,
};
use sqlx::Row;

use crate::services::db::Db;

pub async fn owner(db: &Db, kind: &str, name: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT t.name AS team FROM ownership o JOIN teams t ON t.id = o.team_id WHERE o.kind = $1 AND o.name = $2",
    )
    .bind(kind)
    .bind(name)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| r.try_get("team")).transpose()
}

/// Records `team` as the owner unless someone owns it already.
pub async fn claim(db: &Db, kind: &str, name: &str, team: &str) -> Result<(), sqlx::Error> {
    if team.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO ownership (kind, name, team_id) SELECT $1, $2, id FROM teams WHERE name = $3 \
         ON CONFLICT (kind, name) DO NOTHING",
    )
    .bind(kind)
    .bind(name)
    .bind(team)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The ownership name of daemon `daemon` on `cluster` in `environment` (see the module).
pub fn daemon_key(environment: &str, default_environment: &str, cluster: &str, daemon: &str) -> String {
    if environment.is_empty() || environment == default_environment {
        format!("{cluster}/{daemon}")
    } else {
        format!("{environment}/{cluster}/{daemon}")
    }
}

/// The first team in which the user is a deployer ("" for an admin in none).
fn home_team(user: &CurrentUser) -> String {
    user.teams.iter().find(|(_, r)| *r == Role::Deployer).map(|(t, _)| t.clone()).unwrap_or_default()
}

/// The team a change belongs to; refuses a user who may not deploy for it. A new daemon is
/// claimed for the requester's team.
pub async fn team_for_change(
    db: &Db,
    user: &CurrentUser,
    kind: ChangeKind,
    daemon_key: &str,
    daemon: &str,
    family: &str,
) -> Result<String, ChangeError> {
    let daemon_key = daemon_key.to_string();
    let owned = if daemon.is_empty() { None } else { owner(db, "daemon", &daemon_key).await? };
    let owned = match owned {
        Some(t) => Some((t, "daemon", daemon_key.clone())),
        None if !family.is_empty() => {
            owner(db, "family", family).await?.map(|t| (t, "family", family.to_string()))
        }
        None => None,
    };
    let team = match owned {
        Some((team, what, name)) => {
            if !user.can_deploy(Some(&team)) {
                return Err(ChangeError::NotAllowed(format!(
                    "The {what} {name} belongs to team {team}: changing it needs the deployer role in {team}."
                )));
            }
            team
        }
        None => home_team(user),
    };
    if kind == ChangeKind::Deploy {
        claim(db, "daemon", &daemon_key, &team).await?;
    }
    Ok(team)
}

/// Checks that `user` may register revisions of `family`, and claims it for their team if
/// nobody owns it.
pub async fn claim_family(db: &Db, user: &CurrentUser, family: &str) -> Result<(), ChangeError> {
    match owner(db, "family", family).await? {
        Some(team) if !user.can_deploy(Some(&team)) => Err(ChangeError::NotAllowed(format!(
            "The family {family} belongs to team {team}: registering revisions needs the deployer role in {team}."
        ))),
        Some(_) => Ok(()),
        None => Ok(claim(db, "family", family, &home_team(user)).await?),
    }
}
