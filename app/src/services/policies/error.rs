//! `PolicyError`: why a policy, freeze window or role grant could not be saved or removed.

use crate::{api::PortalError, domain::FieldErrors, services::error::storage_failed};

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The detail goes to the log (`storage_failed`), never into a message.
    #[error("the database did not answer")]
    Db(#[from] sqlx::Error),
    /// A policy naming teams that do not exist: nobody could approve under it.
    #[error("There is no team {}; create it under Teams first.", .0.join(", "))]
    UnknownApproverTeams(Vec<String>),
    /// A policy or window naming an environment the portal does not have: it would hold nothing.
    #[error("There is no environment {0}; add it under Environments first, or use * for every environment.")]
    UnknownEnvironment(String),
    #[error("There is no policy for {0}.")]
    NoSuchPolicy(String),
    #[error("That freeze window no longer exists.")]
    NoSuchFreeze,
    #[error("There is no team {0}.")]
    NoSuchTeam(String),
    #[error("Team {team} has no grant of {role_arn}.")]
    NoSuchGrant { team: String, role_arn: String },
    /// A delivery window whose rule, time zone or start does not expand, by field.
    #[error("{}", .0.summary())]
    Invalid(FieldErrors),
}

impl From<PolicyError> for PortalError {
    fn from(e: PolicyError) -> Self {
        match e {
            PolicyError::Db(e) => storage_failed(&e),
            e @ PolicyError::UnknownApproverTeams(_) => {
                let mut f = FieldErrors::new();
                f.add("approver_teams", e.to_string());
                PortalError::Invalid(f)
            }
            e @ PolicyError::UnknownEnvironment(_) => {
                let mut f = FieldErrors::new();
                f.add("environment", e.to_string());
                PortalError::Invalid(f)
            }
            PolicyError::Invalid(f) => PortalError::Invalid(f),
            e @ (PolicyError::NoSuchPolicy(_)
            | PolicyError::NoSuchFreeze
            | PolicyError::NoSuchTeam(_)
            | PolicyError::NoSuchGrant { .. }) => PortalError::NotFound(e.to_string()),
        }
    }
}
