//! Names of users and teams, passwords and team roles as an admin types them.

/// Longest username or team name: long enough for an e-mail address from an SSO proxy.
pub const ACCOUNT_NAME_MAX: usize = 64;
pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 256;

fn parse_name(what: &str, s: &str, extra: &[char]) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(format!("Enter a {what}."));
    }
    let n = s.chars().count();
    if n > ACCOUNT_NAME_MAX {
        return Err(format!("The {what} can have at most {ACCOUNT_NAME_MAX} characters (this one has {n})."));
    }
    if let Some(bad) =
        s.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || extra.contains(c)))
    {
        let allowed = if extra.is_empty() { "" } else { ", dots (.) and @" };
        return Err(format!(
            "The {what} can contain only letters, digits, hyphens (-), underscores (_){allowed}; `{bad}` is not allowed."
        ));
    }
    Ok(s.to_string())
}

/// A username: 1–64 letters, digits, `-`, `_`, `.`, `@` (so e-mail addresses work).
pub fn parse_username(s: &str) -> Result<String, String> {
    parse_name("username", s, &['.', '@'])
}

/// A team name: 1–64 letters, digits, `-`, `_`.
pub fn parse_team_name(s: &str) -> Result<String, String> {
    parse_name("team name", s, &[])
}

/// A new password: 12–256 characters, not only spaces. Not trimmed: spaces are part of it.
pub fn check_password(s: &str) -> Result<(), String> {
    let n = s.chars().count();
    if s.trim().is_empty() {
        return Err("Enter a password.".into());
    }
    if n < PASSWORD_MIN {
        return Err(format!("The password needs at least {PASSWORD_MIN} characters (this one has {n})."));
    }
    if n > PASSWORD_MAX {
        return Err(format!("The password can have at most {PASSWORD_MAX} characters."));
    }
    Ok(())
}

/// The role names a membership form posts.
pub fn parse_role(s: &str) -> Result<crate::auth::Role, String> {
    crate::auth::Role::parse(s.trim())
        .ok_or_else(|| format!("`{}` is not a role; choose viewer, deployer or approver.", s.trim()))
}

/// The "Create user" form, as typed.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    /// A checkbox: present ("on") when ticked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_admin: Option<String>,
}

/// A validated new account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub is_admin: bool,
}

impl NewUserForm {
    pub fn parse(&self) -> Result<NewUser, super::FieldErrors> {
        let mut e = super::FieldErrors::new();
        let username = e.check("username", parse_username(&self.username));
        e.check("password", check_password(&self.password));
        let is_admin = super::form::checked(&self.is_admin);
        match username {
            Some(username) if e.is_empty() => {
                Ok(NewUser { username, password: self.password.clone(), is_admin })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_team_names() {
        assert_eq!(parse_username(" dave ").unwrap(), "dave");
        assert_eq!(parse_username("dave.smith@example.com").unwrap(), "dave.smith@example.com");
        assert!(parse_username("").unwrap_err().contains("Enter a username"));
        assert!(parse_username(&"a".repeat(65)).unwrap_err().contains("at most 64"));
        assert!(parse_username("<script>").unwrap_err().contains("`<`"));
        assert!(parse_username("x' OR '1'='1").is_err());
        assert_eq!(parse_team_name("payments_2").unwrap(), "payments_2");
        assert!(parse_team_name("pay.ments").unwrap_err().contains("`.`"));
        assert!(parse_team_name("   ").unwrap_err().contains("Enter a team name"));
    }

    #[test]
    fn passwords() {
        assert!(check_password("demo-password").is_ok());
        assert!(check_password("short").unwrap_err().contains("at least 12"));
        assert!(check_password("            ").unwrap_err().contains("Enter a password"));
        assert!(check_password(&"x".repeat(257)).unwrap_err().contains("at most 256"));
    }

    #[test]
    fn new_user_form() {
        let f =
            NewUserForm { username: "dave".into(), password: "correct horse battery".into(), is_admin: None };
        assert_eq!(
            f.parse().unwrap(),
            NewUser { username: "dave".into(), password: "correct horse battery".into(), is_admin: false }
        );
        let e = NewUserForm { username: "".into(), password: "x".into(), is_admin: Some("on".into()) }
            .parse()
            .unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(e.get("username").is_some() && e.get("password").unwrap().contains("at least 12"));
    }

    #[test]
    fn roles() {
        assert_eq!(parse_role("deployer"), Ok(crate::auth::Role::Deployer));
        assert!(parse_role("admin").unwrap_err().contains("viewer, deployer or approver"));
    }
}
