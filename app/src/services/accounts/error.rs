//! `AccountsError`: why a sign-in, a token or an admin change to users and teams failed.

use crate::{api::PortalError, domain::FieldErrors, services::error::storage_failed};

#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// The detail goes to the log (`storage_failed`), never into a message.
    #[error("the database did not answer")]
    Db(#[from] sqlx::Error),
    #[error("Wrong username or password.")]
    WrongCredentials,
    #[error("Too many failed sign-in attempts. Try again in {minutes} minute{}.", if *.minutes == 1 { "" } else { "s" })]
    TooManyAttempts { minutes: i64 },
    /// The signed-in user's account has gone or been disabled since the session began.
    #[error("Sign in to continue.")]
    SignedOut,
    #[error("The username {0} is taken.")]
    UsernameTaken(String),
    #[error("There is already a team {0}.")]
    TeamExists(String),
    /// The user or team acted on does not exist.
    #[error("There is no user {0}.")]
    NoSuchUser(String),
    #[error("There is no team {0}.")]
    NoSuchTeam(String),
    /// A membership form names a user or team that does not exist.
    #[error("There is no user {0}.")]
    UnknownMember(String),
    #[error("There is no team {0}.")]
    UnknownTeam(String),
    #[error("{username} is not a member of {team}.")]
    NotAMember { username: String, team: String },
    #[error("You have no active token with this id.")]
    NoSuchToken,
    #[error("{0}")]
    PasswordHashing(String),
}

impl From<AccountsError> for PortalError {
    fn from(e: AccountsError) -> Self {
        let field = |name: &str, e: AccountsError| {
            let mut f = FieldErrors::new();
            f.add(name, e.to_string());
            PortalError::Invalid(f)
        };
        match e {
            AccountsError::Db(e) => storage_failed(&e),
            AccountsError::WrongCredentials => PortalError::WrongCredentials,
            e @ AccountsError::TooManyAttempts { .. } => PortalError::TooManyAttempts(e.to_string()),
            AccountsError::SignedOut => PortalError::Unauthenticated,
            e @ AccountsError::UsernameTaken(_) => field("username", e),
            e @ AccountsError::TeamExists(_) => field("name", e),
            e @ AccountsError::UnknownMember(_) => field("username", e),
            e @ AccountsError::UnknownTeam(_) => field("team", e),
            e @ (AccountsError::NoSuchUser(_)
            | AccountsError::NoSuchTeam(_)
            | AccountsError::NotAMember { .. }
            | AccountsError::NoSuchToken) => PortalError::NotFound(e.to_string()),
            AccountsError::PasswordHashing(m) => PortalError::Internal(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_reasons_land_on_their_field_and_the_rest_keep_their_kind() {
        let e = PortalError::from(AccountsError::UsernameTaken("alice".into()));
        assert_eq!(e.fields().and_then(|f| f.get("username")), Some("The username alice is taken."));
        let e = PortalError::from(AccountsError::UnknownTeam("ops".into()));
        assert_eq!(e.fields().and_then(|f| f.get("team")), Some("There is no team ops."));
        assert_eq!(PortalError::from(AccountsError::NoSuchTeam("ops".into())).status(), 404);
        assert_eq!(PortalError::from(AccountsError::SignedOut), PortalError::Unauthenticated);
    }

    #[test]
    fn the_wait_is_said_in_minutes() {
        let one = PortalError::from(AccountsError::TooManyAttempts { minutes: 1 });
        assert_eq!(one.to_string(), "Too many failed sign-in attempts. Try again in 1 minute.");
        assert_eq!(one.status(), 429);
        let many = AccountsError::TooManyAttempts { minutes: 15 }.to_string();
        assert!(many.ends_with("in 15 minutes."), "{many}");
    }

    #[test]
    fn database_detail_stays_out_of_the_message() {
        let e = AccountsError::from(sqlx::Error::Protocol("secret detail".into()));
        assert!(!e.to_string().contains("secret"));
        assert_eq!(PortalError::from(e), PortalError::Internal("the database did not answer".into()));
    }
}
