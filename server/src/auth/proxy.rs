//! Trusted-proxy single sign-on (oauth2-proxy, an ALB with OIDC, …): the proxy authenticates
//! the user and sends their name, e-mail and groups in headers. Those headers are believed
//! **only** when the TCP peer is one of the configured proxy addresses; from anyone else they
//! are ignored, since any client can send them. Groups map to team roles; the user's row is
//! created on first sight (with no usable password) and their memberships follow the groups.

use std::net::IpAddr;

use app::auth::{CurrentUser, Role};
use axum::http::HeaderMap;
use sqlx::Row;

use super::{audit, users};
use app::services::Db;

/// Stored as the password hash of accounts created by the proxy: not a PHC string, so no
/// password ever matches it.
pub const NO_PASSWORD: &str = "!sso";
const MAX_USERNAME: usize = 100;
const MAX_GROUPS: usize = 200;

/// An address or a network (`10.0.0.0/8`, `::1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| format!("`{s}` is not an IP address or CIDR"))?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{s}`: bad prefix length"))?,
        };
        Ok(Self { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u32::from(net).into(), 32, self.prefix)
                    == masked(u32::from(ip).into(), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), 128, self.prefix) == masked(u128::from(ip), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn masked(bits: u128, width: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        bits >> (width - prefix)
    }
}

/// The proxy mode's settings; `trusted` empty means the mode is off.
#[derive(Clone, Debug, Default)]
pub struct ProxySettings {
    pub trusted: Vec<IpNet>,
    pub user_header: String,
    pub email_header: String,
    pub groups_header: String,
    /// (group, team, role).
    pub group_map: Vec<(String, String, Role)>,
    pub admin_group: Option<String>,
}

/// Who the proxy says is asking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyIdentity {
    pub username: String,
    pub email: String,
    pub groups: Vec<String>,
}

impl ProxySettings {
    /// From the configuration values; errors name the setting.
    pub fn parse(
        trusted: &str,
        user_header: &str,
        email_header: &str,
        groups_header: &str,
        group_map: &str,
        admin_group: &str,
    ) -> Result<Self, String> {
        let trusted = split_list(trusted)
            .map(|s| IpNet::parse(s).map_err(|e| format!("PORTAL_TRUSTED_PROXIES: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let mut map = Vec::new();
        for entry in split_list(group_map) {
            let bad = || format!("PORTAL_PROXY_GROUP_MAP: `{entry}` is not `group=team:role`");
            let (group, grant) = entry.split_once('=').ok_or_else(bad)?;
            let (team, role) = grant.split_once(':').ok_or_else(bad)?;
            let role = Role::parse(role.trim()).ok_or_else(|| {
                format!("PORTAL_PROXY_GROUP_MAP: `{role}` is not a role (viewer, deployer, approver)")
            })?;
            let (group, team) = (group.trim(), team.trim());
            if group.is_empty() || team.is_empty() {
                return Err(bad());
            }
            map.push((group.to_string(), team.to_string(), role));
        }
        for (name, value) in [
            ("PORTAL_PROXY_USER_HEADER", user_header),
            ("PORTAL_PROXY_EMAIL_HEADER", email_header),
            ("PORTAL_PROXY_GROUPS_HEADER", groups_header),
        ] {
            axum::http::HeaderName::from_bytes(value.trim().as_bytes())
                .map_err(|_| format!("{name}: `{value}` is not a header name"))?;
        }
        let admin_group = Some(admin_group.trim().to_string()).filter(|g| !g.is_empty());
        Ok(Self {
            trusted,
            user_header: user_header.trim().to_string(),
            email_header: email_header.trim().to_string(),
            groups_header: groups_header.trim().to_string(),
            group_map: map,
            admin_group,
        })
    }

    pub fn enabled(&self) -> bool {
        !self.trusted.is_empty()
    }

    /// Whether the TCP peer is a configured proxy.
    pub fn trusts(&self, peer: IpAddr) -> bool {
        self.trusted.iter().any(|n| n.contains(peer))
    }

    /// The identity in the headers (call only for a trusted peer); `None` without a usable
    /// user header.
    pub fn identity(&self, headers: &HeaderMap) -> Option<ProxyIdentity> {
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("");
        let username = get(&self.user_header);
        if username.is_empty() || username.len() > MAX_USERNAME || username.chars().any(char::is_control) {
            return None;
        }
        let groups = get(&self.groups_header)
            .split(',')
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .take(MAX_GROUPS)
            .map(str::to_string)
            .collect();
        Some(ProxyIdentity {
            username: username.to_string(),
            email: get(&self.email_header).chars().take(320).collect(),
            groups,
        })
    }

    /// The admin flag and team roles the groups give. A user mapped to several roles in one
    /// team gets the strongest (approver, then deployer, then viewer): a membership holds one.
    pub fn grants(&self, identity: &ProxyIdentity) -> (bool, Vec<(String, Role)>) {
        let admin = self.admin_group.as_ref().is_some_and(|g| identity.groups.contains(g));
        let rank = |r: Role| match r {
            Role::Viewer => 0,
            Role::Deployer => 1,
            Role::Approver => 2,
        };
        let mut teams: Vec<(String, Role)> = Vec::new();
        for (group, team, role) in &self.group_map {
            if !identity.groups.contains(group) {
                continue;
            }
            match teams.iter_mut().find(|(t, _)| t == team) {
                Some((_, have)) if rank(*role) > rank(*have) => *have = *role,
                Some(_) => {}
                None => teams.push((team.clone(), *role)),
            }
        }
        teams.sort_by(|a, b| a.0.cmp(&b.0));
        (admin, teams)
    }

    /// The client's address behind a trusted proxy: the right-most `X-Forwarded-For` entry
    /// that is not itself a trusted proxy (entries further left are client-controlled).
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        forwarded.into_iter().rev().find(|ip| !self.trusts(*ip)).unwrap_or(peer)
    }
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// What signing in an SSO identity came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SsoSignIn {
    User(CurrentUser),
    /// The account is disabled.
    Disabled,
    /// The name belongs to a local account (one with a password): the identity is refused,
    /// or an IdP user named `admin` would become the local `admin`.
    NameTaken,
}

/// The account name of an SSO identity: case-folded, so `Alice` and `alice` are one person
/// (identity providers differ in the case they send).
pub fn account_name(identity: &ProxyIdentity) -> String {
    identity.username.to_lowercase()
}

/// Signs in the user the proxy names: creates their row on first sight, and brings the admin
/// flag, e-mail and memberships in line with the headers (writing only when they differ).
///
/// SSO accounts are a namespace of their own: the rows created here, marked by the
/// [`NO_PASSWORD`] hash, under case-folded names. A name that (in any case) belongs to a local
/// account is refused rather than merged into it.
pub async fn sign_in(
    db: &Db,
    settings: &ProxySettings,
    identity: &ProxyIdentity,
    ip: &str,
) -> Result<SsoSignIn, sqlx::Error> {
    let name = account_name(identity);
    // Local names are ASCII (domain::account), so SQL's LOWER folds them as Rust does.
    let local = sqlx::query("SELECT username FROM users WHERE LOWER(username) = $1 AND password_hash <> $2")
        .bind(&name)
        .bind(NO_PASSWORD)
        .fetch_optional(db.pool())
        .await?;
    if let Some(local) = local {
        let local: String = local.try_get("username")?;
        // Logged, not audited: the proxy sends the identity with every request, and the audit
        // log would fill with one row per page view.
        tracing::warn!(sso = %identity.username, local = %local, "SSO identity refused: the name is a local account");
        return Ok(SsoSignIn::NameTaken);
    }
    let (admin, teams) = settings.grants(identity);
    let created = users::create(db, &name, NO_PASSWORD, admin).await?.is_some();
    let Some(row) =
        sqlx::query("SELECT id, is_admin, email, disabled, password_hash FROM users WHERE username = $1")
            .bind(&name)
            .fetch_optional(db.pool())
            .await?
    else {
        return Ok(SsoSignIn::Disabled);
    };
    if row.try_get::<String, _>("password_hash")? != NO_PASSWORD {
        // A local account of this exact name appeared since the check above.
        return Ok(SsoSignIn::NameTaken);
    }
    if row.try_get::<i64, _>("disabled")? != 0 {
        return Ok(SsoSignIn::Disabled);
    }
    let id: String = row.try_get("id")?;
    let is_admin = row.try_get::<i64, _>("is_admin")? != 0;
    let email: String = row.try_get("email")?;
    let Some(current) = users::current_user(db, &id).await? else {
        return Ok(SsoSignIn::Disabled);
    };
    let mut have = current.teams.clone();
    have.sort_by(|a, b| a.0.cmp(&b.0));
    if is_admin == admin && email == identity.email && have == teams && !created {
        return Ok(SsoSignIn::User(current));
    }
    sqlx::query("UPDATE users SET is_admin = $1, email = $2 WHERE id = $3")
        .bind(i64::from(admin))
        .bind(&identity.email)
        .bind(&id)
        .execute(db.pool())
        .await?;
    if have != teams {
        sqlx::query("DELETE FROM memberships WHERE user_id = $1").bind(&id).execute(db.pool()).await?;
        for (team, role) in &teams {
            let team_id = users::ensure_team(db, team).await?;
            sqlx::query(
                "INSERT INTO memberships (user_id, team_id, role) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, team_id) DO UPDATE SET role = $3",
            )
            .bind(&id)
            .bind(team_id)
            .bind(role.as_str())
            .execute(db.pool())
            .await?;
        }
    }
    let detail = serde_json::json!({
        "created": created,
        "admin": admin,
        "teams": teams.iter().map(|(t, r)| format!("{t}:{}", r.as_str())).collect::<Vec<_>>(),
    });
    audit::record(db, &name, ip, "user.proxy_sync", &name, &detail).await?;
    Ok(users::current_user(db, &id).await?.map_or(SsoSignIn::Disabled, SsoSignIn::User))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ProxySettings {
        ProxySettings::parse(
            "10.0.0.0/8, 192.168.1.5, ::1",
            "X-Forwarded-User",
            "X-Forwarded-Email",
            "X-Forwarded-Groups",
            "sre=platform:approver,devs=platform:deployer,devs=payments:deployer,all=payments:viewer",
            "admins",
        )
        .unwrap()
    }

    #[test]
    fn networks_match_addresses() {
        let s = settings();
        assert!(s.trusts("10.1.2.3".parse().unwrap()));
        assert!(s.trusts("192.168.1.5".parse().unwrap()));
        assert!(!s.trusts("192.168.1.6".parse().unwrap()));
        assert!(s.trusts("::1".parse().unwrap()));
        assert!(s.trusts("::ffff:10.0.0.1".parse().unwrap()), "IPv4-mapped");
        assert!(!s.trusts("127.0.0.1".parse().unwrap()));
        assert!(IpNet::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        for bad in ["10.0.0.0/33", "nope", "10.0.0.0/x"] {
            assert!(IpNet::parse(bad).is_err(), "{bad}");
        }
        assert!(!ProxySettings::default().enabled());
    }

    #[test]
    fn groups_map_to_the_strongest_role_per_team() {
        let s = settings();
        let id = ProxyIdentity {
            username: "dana".into(),
            email: String::new(),
            groups: vec!["devs".into(), "sre".into(), "all".into()],
        };
        let (admin, teams) = s.grants(&id);
        assert!(!admin);
        assert_eq!(teams, vec![("payments".into(), Role::Deployer), ("platform".into(), Role::Approver)]);
        let admin = ProxyIdentity { groups: vec!["admins".into()], ..id };
        assert_eq!(s.grants(&admin), (true, vec![]));
    }

    #[test]
    fn bad_settings_name_the_variable() {
        let e = ProxySettings::parse("10.0.0.0/8", "X-U", "X-E", "X-G", "sre=platform", "").unwrap_err();
        assert!(e.starts_with("PORTAL_PROXY_GROUP_MAP"), "{e}");
        let e =
            ProxySettings::parse("10.0.0.0/8", "X-U", "X-E", "X-G", "sre=platform:owner", "").unwrap_err();
        assert!(e.contains("owner"), "{e}");
        let e = ProxySettings::parse("localhost", "X-U", "X-E", "X-G", "", "").unwrap_err();
        assert!(e.starts_with("PORTAL_TRUSTED_PROXIES"), "{e}");
        let e = ProxySettings::parse("", "bad header", "X-E", "X-G", "", "").unwrap_err();
        assert!(e.starts_with("PORTAL_PROXY_USER_HEADER"), "{e}");
    }

    #[test]
    fn client_address_is_the_last_untrusted_hop() {
        let s = settings();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.7".parse().unwrap());
        assert_eq!(s.client_ip("10.0.0.2".parse().unwrap(), &h).to_string(), "203.0.113.9");
        assert_eq!(s.client_ip("8.8.8.8".parse().unwrap(), &h).to_string(), "8.8.8.8", "untrusted peer");
    }
}
