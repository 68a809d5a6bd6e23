//! Who is calling: access keys and the accounts they act in, the roles STS may
//! hand out (from the world file), and the sessions it has issued. Pure data
//! like the rest of `state`; `crate::sts` speaks STS's wire protocol.
//!
//! Nothing here checks a signature: like the rest of the emulator, it trusts
//! the access key id a request names and only uses it to pick the account.

use super::Ms;
use crate::arn;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// STS's limits on `DurationSeconds`, and a role's default maximum.
pub const MIN_SESSION_SECONDS: i64 = 900;
pub const MAX_SESSION_SECONDS: i64 = 43_200;
pub const DEFAULT_SESSION_SECONDS: i64 = 3_600;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Account {
    pub id: String,
    /// A short name (`staging`); the control API accepts it in place of the id.
    pub name: String,
    /// Roles by name.
    pub roles: BTreeMap<String, Role>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Role {
    /// The trust policy's `sts:ExternalId` condition, if it has one.
    pub external_id: Option<String>,
    pub max_session_seconds: i64,
}

/// Credentials STS issued; their access key id acts in the role's account.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Session {
    pub account: String,
    pub role: String,
    pub session_name: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// Wall-clock epoch milliseconds (see `crate::sts` for why not simulated time).
    pub expires_at: Ms,
}

impl Session {
    pub fn arn(&self) -> String {
        format!("arn:aws:sts::{}:assumed-role/{}/{}", self.account, self.role, self.session_name)
    }
    pub fn assumed_role_id(&self) -> String {
        format!("{}:{}", role_id(&self.account, &self.role), self.session_name)
    }
}

/// A stable unique id per role (`AROA…`, 21 characters like IAM's).
fn role_id(account: &str, role: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = super::Fnv::default();
    (account, role).hash(&mut h);
    let n = h.finish();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let tail: String = (0..17u32).map(|i| alphabet[(n.rotate_left(i * 5) & 31) as usize] as char).collect();
    format!("AROA{tail}")
}

/// An AssumeRole request, already decoded from the wire.
#[derive(Clone, Debug, Default)]
pub struct AssumeRole {
    pub role_arn: Option<String>,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration_seconds: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum IamError {
    /// 403 `AccessDenied`: an unknown role, or the wrong external id (STS says
    /// the same for both, so a caller can't probe which roles exist).
    AccessDenied(String),
    /// 400 `ValidationError`: a member missing or out of its constraints.
    Validation(String),
}

/// Who a request's access key is, as GetCallerIdentity answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Iam {
    /// Accounts by id. The default account is always there.
    pub accounts: BTreeMap<String, Account>,
    /// Configured access key id → account id.
    pub access_keys: BTreeMap<String, String>,
    /// Issued access key id → session. Never pruned: each AssumeRole adds one small record and
    /// clients reuse credentials until they expire, whereas dropping one would silently turn its
    /// key into an unknown key, which acts in the default account.
    pub sessions: BTreeMap<String, Session>,
}

impl Iam {
    /// Just the default account, no roles.
    pub fn new() -> Self {
        let mut iam = Self::default();
        iam.add_account(arn::ACCOUNT, "default");
        iam
    }

    pub fn add_account(&mut self, id: &str, name: &str) -> &mut Account {
        self.accounts.entry(id.to_string()).or_insert_with(|| Account {
            id: id.to_string(),
            name: name.to_string(),
            roles: BTreeMap::new(),
        })
    }

    /// The account a request signed with access key `key` acts in.
    pub fn account_of(&self, key: &str) -> &str {
        if let Some(s) = self.sessions.get(key) {
            return &s.account;
        }
        match self.access_keys.get(key) {
            Some(account) => account,
            // Any other key is accepted and acts in the default account, as every key did
            // before accounts existed: the portal's tests and `make run` sign with arbitrary
            // test credentials and must keep reaching the same world.
            None => arn::ACCOUNT,
        }
    }

    /// An account by id or by name.
    pub fn find_account(&self, reference: &str) -> Option<&str> {
        if let Some(a) = self.accounts.get(reference) {
            return Some(&a.id);
        }
        self.accounts.values().find(|a| a.name == reference).map(|a| a.id.as_str())
    }

    pub fn identity(&self, key: &str) -> Identity {
        match self.sessions.get(key) {
            Some(s) => Identity { account: s.account.clone(), arn: s.arn(), user_id: s.assumed_role_id() },
            None => {
                // A long-term key stands for its account's root user, whose user id is the
                // account id.
                let account = self.account_of(key).to_string();
                Identity { arn: format!("arn:aws:iam::{account}:root"), user_id: account.clone(), account }
            }
        }
    }

    /// Issues credentials for a role of the world file, to any caller: the emulator has no
    /// trust policies beyond the role's external id. `wall_now` is wall-clock epoch ms.
    pub fn assume_role(
        &mut self,
        caller: &str,
        req: &AssumeRole,
        wall_now: Ms,
    ) -> Result<(String, Session), IamError> {
        let role_arn = required(&req.role_arn, "roleArn")?;
        if !(20..=2048).contains(&role_arn.len()) {
            return Err(constraint(role_arn, "roleArn", "Member must have length between 20 and 2048"));
        }
        let session_name = required(&req.session_name, "roleSessionName")?;
        let name_ok = (2..=64).contains(&session_name.len())
            && session_name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
        if !name_ok {
            return Err(constraint(
                session_name,
                "roleSessionName",
                "Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*",
            ));
        }
        if let Some(x) = &req.external_id {
            if !(2..=1224).contains(&x.len()) {
                return Err(constraint(x, "externalId", "Member must have length between 2 and 1224"));
            }
        }
        let duration = req.duration_seconds.unwrap_or(DEFAULT_SESSION_SECONDS);
        if !(MIN_SESSION_SECONDS..=MAX_SESSION_SECONDS).contains(&duration) {
            return Err(constraint(
                &duration.to_string(),
                "durationSeconds",
                "Member must have value between 900 and 43200",
            ));
        }
        let denied = || {
            IamError::AccessDenied(format!(
                "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                self.identity(caller).arn
            ))
        };
        let (account, role_name) = parse_role_arn(role_arn).ok_or_else(denied)?;
        let role = self.accounts.get(account).and_then(|a| a.roles.get(role_name)).ok_or_else(denied)?;
        if let Some(want) = &role.external_id {
            if req.external_id.as_ref() != Some(want) {
                return Err(denied());
            }
        }
        if duration > role.max_session_seconds {
            return Err(IamError::Validation(format!(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role ({} seconds).",
                role.max_session_seconds
            )));
        }
        let session = Session {
            account: account.to_string(),
            role: role_name.to_string(),
            session_name: session_name.to_string(),
            secret_access_key: random_chars(
                40,
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            ),
            session_token: format!(
                "ecs-sim/{}",
                random_chars(96, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
            ),
            expires_at: wall_now + duration * 1000,
        };
        let key = format!("ASIA{}", random_chars(16, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
        self.sessions.insert(key.clone(), session.clone());
        Ok((key, session))
    }
}

/// `arn:aws:iam::ACCOUNT:role/NAME` → (account, name). Roles with a path are
/// not modelled.
fn parse_role_arn(value: &str) -> Option<(&str, &str)> {
    let rest = value.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let name = resource.strip_prefix("role/")?;
    (!name.is_empty() && !name.contains('/')).then_some((account, name))
}

fn required<'a>(value: &'a Option<String>, member: &str) -> Result<&'a str, IamError> {
    match value.as_deref() {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(IamError::Validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))),
    }
}

fn constraint(value: &str, member: &str, rule: &str) -> IamError {
    IamError::Validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {rule}"
    ))
}

fn random_chars(n: usize, alphabet: &[u8]) -> String {
    (0..n).map(|_| alphabet[rand::random::<u32>() as usize % alphabet.len()] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iam() -> Iam {
        let mut iam = Iam::new();
        let staging = iam.add_account("234567890123", "staging");
        staging.roles.insert(
            "DaemonPortal".into(),
            Role { external_id: Some("xyz-123".into()), max_session_seconds: DEFAULT_SESSION_SECONDS },
        );
        iam.access_keys.insert("AKIASTAGING".into(), "234567890123".into());
        iam
    }

    fn req(role: &str, external_id: Option<&str>) -> AssumeRole {
        AssumeRole {
            role_arn: Some(role.into()),
            session_name: Some("portal".into()),
            external_id: external_id.map(str::to_string),
            duration_seconds: None,
        }
    }

    #[test]
    fn keys_pick_accounts() {
        let iam = iam();
        assert_eq!(iam.account_of("AKIASTAGING"), "234567890123");
        assert_eq!(iam.account_of("anything"), arn::ACCOUNT);
        assert_eq!(iam.find_account("staging"), Some("234567890123"));
        assert_eq!(iam.find_account("123456789012"), Some("123456789012"));
        assert_eq!(iam.find_account("nope"), None);
    }

    #[test]
    fn assume_role_issues_keys_of_the_roles_account() {
        let mut iam = iam();
        let (key, s) = iam
            .assume_role("AKID", &req("arn:aws:iam::234567890123:role/DaemonPortal", Some("xyz-123")), 1_000)
            .unwrap();
        assert!(key.starts_with("ASIA") && key.len() == 20);
        assert_eq!(s.expires_at, 1_000 + 3_600_000);
        assert_eq!(iam.account_of(&key), "234567890123");
        let id = iam.identity(&key);
        assert_eq!(id.arn, "arn:aws:sts::234567890123:assumed-role/DaemonPortal/portal");
        assert!(id.user_id.starts_with("AROA") && id.user_id.ends_with(":portal"));
    }

    #[test]
    fn assume_role_refusals() {
        let mut iam = iam();
        let denied = |r: Result<(String, Session), IamError>| matches!(r, Err(IamError::AccessDenied(_)));
        let role = "arn:aws:iam::234567890123:role/DaemonPortal";
        assert!(denied(iam.assume_role("AKID", &req(role, None), 0)));
        assert!(denied(iam.assume_role("AKID", &req(role, Some("wrong")), 0)));
        assert!(denied(iam.assume_role("AKID", &req("arn:aws:iam::234567890123:role/Admin", None), 0)));
        assert!(denied(iam.assume_role(
            "AKID",
            &req("arn:aws:iam::999999999999:role/DaemonPortal", None),
            0
        )));
        let mut long = req(role, Some("xyz-123"));
        long.duration_seconds = Some(7_200);
        assert!(matches!(iam.assume_role("AKID", &long, 0), Err(IamError::Validation(_))));
        long.duration_seconds = Some(60);
        assert!(matches!(iam.assume_role("AKID", &long, 0), Err(IamError::Validation(_))));
        let mut nameless = req(role, Some("xyz-123"));
        nameless.session_name = None;
        assert!(matches!(iam.assume_role("AKID", &nameless, 0), Err(IamError::Validation(_))));
        assert!(iam.sessions.is_empty());
    }
}
