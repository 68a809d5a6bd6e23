//! Approval policies: how many approvals a change request on a cluster (optionally one
//! capacity provider) needs, from which teams, whether requesters may approve their own
//! requests, and how long a request may wait. Freeze windows live in [`super::freeze`] and are
//! re-exported here, so the approval engine finds both under `domain::policy`.

use serde::{Deserialize, Serialize};

pub use super::freeze::{FreezeSchedule, FreezeWindow, FreezeWindowForm};
use super::{account::parse_team_name, names::ResourceName, FieldErrors};

pub const MAX_APPROVALS: u32 = 10;
pub const MAX_EXPIRY_HOURS: u32 = 720;
pub const DEFAULT_EXPIRY_HOURS: u32 = 72;
pub const MAX_APPROVER_TEAMS: usize = 20;
/// The cluster name of the policy (and freeze window) for every cluster without one of its own,
/// and for requests that touch no cluster (deleting a task definition revision).
pub const ANY_CLUSTER: &str = "*";

/// A validated approval policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// A cluster name, or `*` for any cluster without its own policy.
    pub cluster: String,
    /// "" = the whole cluster.
    pub capacity_provider: String,
    /// 0 = the request executes as soon as it is created.
    pub approvals_required: u32,
    /// Teams whose approvers may approve; empty = approvers of any team.
    pub approver_teams: Vec<String>,
    pub allow_self_approval: bool,
    /// A pending request expires this long after it was created (or last edited).
    pub expiry_hours: u32,
}

impl Policy {
    /// The policy when no row matches: 1 approval from any team, no self-approval, 72 hours.
    pub fn builtin_default(cluster: &str) -> Policy {
        Policy {
            cluster: cluster.to_string(),
            capacity_provider: String::new(),
            approvals_required: 1,
            approver_teams: Vec::new(),
            allow_self_approval: false,
            expiry_hours: DEFAULT_EXPIRY_HOURS,
        }
    }

    /// Whether `self` asks for more than `other`: more approvals first, then (at equal counts)
    /// no self-approval over self-approval, a narrower set of teams, a shorter expiry. Used to
    /// pick the strictest of several matching policies.
    pub fn stricter_than(&self, other: &Policy) -> bool {
        let key = |p: &Policy| {
            (
                p.approvals_required,
                !p.allow_self_approval,
                // Non-empty team lists are narrower than "any team"; fewer teams are narrower.
                if p.approver_teams.is_empty() { 0 } else { usize::MAX - p.approver_teams.len() },
                u32::MAX - p.expiry_hours,
            )
        };
        key(self) > key(other)
    }

    /// The form pre-filled with this policy, for the edit page.
    pub fn to_form(&self) -> PolicyForm {
        PolicyForm {
            cluster: self.cluster.clone(),
            capacity_provider: self.capacity_provider.clone(),
            approvals_required: self.approvals_required.to_string(),
            approver_teams: self.approver_teams.join(", "),
            allow_self_approval: self.allow_self_approval.then(|| "on".to_string()),
            expiry_hours: self.expiry_hours.to_string(),
        }
    }
}

/// What the policy form posts, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    pub cluster: String,
    #[serde(default)]
    pub capacity_provider: String,
    #[serde(default)]
    pub approvals_required: String,
    /// Team names separated by commas or spaces; empty = any team.
    #[serde(default)]
    pub approver_teams: String,
    /// A checkbox: present ("on") when ticked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_self_approval: Option<String>,
    /// Empty = 72.
    #[serde(default)]
    pub expiry_hours: String,
}

fn checked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !matches!(s, "" | "false" | "off" | "0"))
}

/// A cluster name or `*`.
pub fn parse_policy_cluster(s: &str) -> Result<String, String> {
    if s.trim() == ANY_CLUSTER {
        return Ok(ANY_CLUSTER.to_string());
    }
    ResourceName::parse("cluster name (or * for every cluster)", s).map(String::from)
}

/// "" (the whole cluster) or a capacity provider name.
pub fn parse_optional_provider(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Ok(String::new());
    }
    ResourceName::parse("capacity provider", s).map(String::from)
}

fn parse_count(s: &str, what: &str, min: u32, max: u32) -> Result<u32, String> {
    let t = s.trim();
    let v: i64 = t.parse().map_err(|_| format!("The {what} must be a whole number from {min} to {max}."))?;
    if v < i64::from(min) || v > i64::from(max) {
        return Err(format!("The {what} must be from {min} to {max} (got {t})."));
    }
    Ok(v as u32)
}

pub fn parse_approvals_required(s: &str) -> Result<u32, String> {
    if s.trim().is_empty() {
        return Err(format!("Enter the number of approvals (0 to {MAX_APPROVALS})."));
    }
    parse_count(s, "number of approvals", 0, MAX_APPROVALS)
}

pub fn parse_expiry_hours(s: &str) -> Result<u32, String> {
    if s.trim().is_empty() {
        return Ok(DEFAULT_EXPIRY_HOURS);
    }
    parse_count(s, "expiry", 1, MAX_EXPIRY_HOURS).map_err(|e| format!("{e} Hours: 720 is 30 days."))
}

/// Team names separated by commas, spaces or new lines; duplicates dropped, order kept.
pub fn parse_team_list(s: &str) -> Result<Vec<String>, String> {
    let mut teams: Vec<String> = Vec::new();
    for t in s.split([',', ' ', '\n', '\r', '\t']).filter(|t| !t.is_empty()) {
        let t = parse_team_name(t)?;
        if !teams.contains(&t) {
            teams.push(t);
        }
    }
    if teams.len() > MAX_APPROVER_TEAMS {
        return Err(format!("At most {MAX_APPROVER_TEAMS} approver teams."));
    }
    Ok(teams)
}

impl PolicyForm {
    pub fn parse(&self) -> Result<Policy, FieldErrors> {
        let mut e = FieldErrors::new();
        let cluster = e.check("cluster", parse_policy_cluster(&self.cluster));
        let provider = e.check("capacity_provider", parse_optional_provider(&self.capacity_provider));
        if cluster.as_deref() == Some(ANY_CLUSTER) && provider.as_deref().is_some_and(|p| !p.is_empty()) {
            e.add(
                "capacity_provider",
                "A policy for every cluster (*) covers whole clusters; name a cluster to narrow it to one capacity provider.",
            );
        }
        let approvals = e.check("approvals_required", parse_approvals_required(&self.approvals_required));
        let teams = e.check("approver_teams", parse_team_list(&self.approver_teams));
        let expiry = e.check("expiry_hours", parse_expiry_hours(&self.expiry_hours));
        match (cluster, provider, approvals, teams, expiry) {
            (
                Some(cluster),
                Some(capacity_provider),
                Some(approvals_required),
                Some(approver_teams),
                Some(expiry_hours),
            ) if e.is_empty() => Ok(Policy {
                cluster,
                capacity_provider,
                approvals_required,
                approver_teams,
                allow_self_approval: checked(&self.allow_self_approval),
                expiry_hours,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(cluster: &str, approvals: &str) -> PolicyForm {
        PolicyForm { cluster: cluster.into(), approvals_required: approvals.into(), ..Default::default() }
    }

    #[test]
    fn builtin_default_is_one_approval_any_team_no_self_72h() {
        let p = Policy::builtin_default("prod");
        assert_eq!(p.cluster, "prod");
        assert_eq!(p.capacity_provider, "");
        assert_eq!(p.approvals_required, 1);
        assert!(p.approver_teams.is_empty());
        assert!(!p.allow_self_approval);
        assert_eq!(p.expiry_hours, 72);
    }

    #[test]
    fn parses_a_full_form() {
        let f = PolicyForm {
            cluster: " prod ".into(),
            capacity_provider: "mi-prod-a".into(),
            approvals_required: "2".into(),
            approver_teams: "platform, sre  platform\nsecurity".into(),
            allow_self_approval: Some("on".into()),
            expiry_hours: "24".into(),
        };
        let p = f.parse().unwrap();
        assert_eq!(
            p,
            Policy {
                cluster: "prod".into(),
                capacity_provider: "mi-prod-a".into(),
                approvals_required: 2,
                approver_teams: vec!["platform".into(), "sre".into(), "security".into()],
                allow_self_approval: true,
                expiry_hours: 24,
            }
        );
        assert_eq!(p.to_form().parse().unwrap(), p, "the edit form round-trips");
    }

    #[test]
    fn defaults_and_star_cluster() {
        let p = form("*", "0").parse().unwrap();
        assert_eq!((p.cluster.as_str(), p.approvals_required, p.expiry_hours), ("*", 0, 72));
        assert!(!p.allow_self_approval);
        let mut f = form("*", "1");
        f.capacity_provider = "mi-a".into();
        assert!(f.parse().unwrap_err().get("capacity_provider").unwrap().contains("name a cluster"));
        let mut f = form("prod", "1");
        f.allow_self_approval = Some("off".into());
        assert!(!f.parse().unwrap().allow_self_approval);
    }

    #[test]
    fn approvals_from_0_to_10() {
        assert_eq!(form("prod", "0").parse().unwrap().approvals_required, 0);
        assert_eq!(form("prod", "10").parse().unwrap().approvals_required, 10);
        for bad in ["11", "-1", "1.5", "two", "99999999999999999999"] {
            let e = form("prod", bad).parse().unwrap_err();
            assert!(e.get("approvals_required").unwrap().contains("0 to 10"), "{bad}: {e:?}");
        }
        let e = form("prod", "").parse().unwrap_err();
        assert_eq!(e.get("approvals_required"), Some("Enter the number of approvals (0 to 10)."));
    }

    #[test]
    fn expiry_from_1_to_720_hours() {
        let mut f = form("prod", "1");
        for (s, want) in [("1", 1), ("720", 720), ("", 72)] {
            f.expiry_hours = s.into();
            assert_eq!(f.parse().unwrap().expiry_hours, want);
        }
        for bad in ["0", "721", "x"] {
            f.expiry_hours = bad.into();
            assert!(f.parse().unwrap_err().get("expiry_hours").unwrap().contains("1 to 720"), "{bad}");
        }
    }

    #[test]
    fn cluster_and_team_names_are_checked() {
        let e = form("", "1").parse().unwrap_err();
        assert!(e.get("cluster").unwrap().starts_with("Enter a cluster name"));
        let e = form("prod; DROP TABLE policies", "1").parse().unwrap_err();
        assert!(e.get("cluster").unwrap().contains("not allowed"));
        assert!(form(&"c".repeat(256), "1")
            .parse()
            .unwrap_err()
            .get("cluster")
            .unwrap()
            .contains("at most 255"));
        let mut f = form("prod", "1");
        f.approver_teams = "platform, <b>".into();
        assert!(f.parse().unwrap_err().get("approver_teams").unwrap().contains("`<`"));
        f.approver_teams = (0..21).map(|i| format!("t{i}")).collect::<Vec<_>>().join(",");
        assert!(f.parse().unwrap_err().get("approver_teams").unwrap().contains("At most 20"));
        // All errors at once, each under its field.
        let e =
            PolicyForm { approvals_required: "11".into(), expiry_hours: "0".into(), ..Default::default() }
                .parse()
                .unwrap_err();
        assert_eq!(e.len(), 3, "{e:?}");
    }

    #[test]
    fn strictness_orders_by_approvals_first() {
        let mut a = Policy::builtin_default("prod");
        let mut b = a.clone();
        b.approvals_required = 2;
        assert!(b.stricter_than(&a) && !a.stricter_than(&b));
        b.approvals_required = 1;
        b.allow_self_approval = true;
        assert!(a.stricter_than(&b));
        a.approver_teams = vec!["platform".into()];
        b.allow_self_approval = false;
        assert!(a.stricter_than(&b), "a named team is narrower than any team");
        assert!(!a.stricter_than(&a.clone()));
    }
}
