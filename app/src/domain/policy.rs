//! Approval policies: how many approvals a change request on a cluster (optionally one
//! capacity provider) needs, from which teams, whether requesters may approve their own
//! requests, and how long a request may wait; and how the policies of a request's scope
//! combine ([`matching`], [`combine`], [`CombinedPolicy::is_satisfied`]). Freeze windows live in [`super::freeze`] and are
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
/// The environment of a policy (and freeze window) for every environment without its own.
pub const ANY_ENVIRONMENT: &str = "*";

fn any_environment() -> String {
    ANY_ENVIRONMENT.to_string()
}

/// A validated approval policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// An environment name, or `*` for every environment without its own policy (and for
    /// policies stored before environments existed).
    #[serde(default = "any_environment")]
    pub environment: String,
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
            environment: any_environment(),
            cluster: cluster.to_string(),
            capacity_provider: String::new(),
            approvals_required: 1,
            approver_teams: Vec::new(),
            allow_self_approval: false,
            expiry_hours: DEFAULT_EXPIRY_HOURS,
        }
    }

    /// The form pre-filled with this policy, for the edit page.
    pub fn to_form(&self) -> PolicyForm {
        PolicyForm {
            environment: self.environment.clone(),
            cluster: self.cluster.clone(),
            capacity_provider: self.capacity_provider.clone(),
            approvals_required: self.approvals_required.to_string(),
            approver_teams: self.approver_teams.join(", "),
            allow_self_approval: super::form::on(self.allow_self_approval),
            expiry_hours: self.expiry_hours.to_string(),
        }
    }
}

// ---- Which policies govern a request, and when they are satisfied ----
//
// The rule, written once (README "Teams, roles and policies"):
// - A request's *scope* is its cluster and the union of the capacity providers the daemon runs
//   on now (read from ECS when the request is made or edited) and those it will run on. A
//   delete's scope is where the daemon runs now; a rollback's is both sides, like an update.
// - Each provider of the scope is governed by its own (cluster, provider) policy, else the
//   cluster's, else the `*` policy, else the built-in default. A scope with no provider on a
//   named cluster (the daemon's providers could not be told) is governed by every policy of the
//   cluster: unknown fails closed. A request on no cluster takes `*`, else the built-in default.
// - Every policy found that way must be satisfied on its own: each needs its number of distinct
//   approvers from its own teams (one approver may count for several policies). So the
//   approvals required is the maximum, self-approval is allowed only if every policy allows it,
//   and a pending request expires after the shortest expiry.

/// Where a request acts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// The environment the request acts in ("" on requests stored before environments: only
    /// `*` policies govern them).
    #[serde(default)]
    pub environment: String,
    /// "" for a request on no cluster (deleting a task definition revision).
    pub cluster: String,
    /// The capacity providers the daemon runs on now, from ECS (empty for a new daemon).
    #[serde(default)]
    pub current: Vec<String>,
    /// The capacity providers it will run on (empty for a delete).
    #[serde(default)]
    pub target: Vec<String>,
}

impl Scope {
    pub fn new(cluster: &str, current: &[String], target: &[String]) -> Scope {
        let tidy = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v.dedup();
            v
        };
        Scope {
            environment: String::new(),
            cluster: cluster.to_string(),
            current: tidy(current),
            target: tidy(target),
        }
    }

    /// The same scope in environment `name`.
    pub fn in_environment(mut self, name: &str) -> Scope {
        self.environment = name.to_string();
        self
    }

    /// The environments whose policies may govern this scope, most specific first.
    fn environments(&self) -> Vec<&str> {
        match self.environment.as_str() {
            "" | ANY_ENVIRONMENT => vec![ANY_ENVIRONMENT],
            e => vec![e, ANY_ENVIRONMENT],
        }
    }

    /// Every provider the request touches: where the daemon runs now and where it will run.
    pub fn providers(&self) -> Vec<String> {
        let mut all: Vec<String> = self.current.iter().chain(&self.target).cloned().collect();
        all.sort();
        all.dedup();
        all
    }

    /// Why `provider` is in the scope, for the request page.
    fn why(&self, provider: &str) -> String {
        let now = self.current.iter().any(|p| p == provider);
        let then = self.target.iter().any(|p| p == provider);
        match (now, then) {
            (true, true) => format!("{provider}: runs there now and will"),
            (true, false) => format!("{provider}: runs there now, leaves it"),
            _ => format!("{provider}: will run there"),
        }
    }
}

/// One policy a request must satisfy, and why it applies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub policy: Policy,
    /// Which policy this is: `prod/mi-prod-a`, `cluster prod`, `all clusters (*)` or
    /// `built-in default`.
    pub label: String,
    /// Why it applies: the scope's providers it governs, each with where the daemon is.
    pub why: Vec<String>,
}

impl Requirement {
    /// `prod/mi-prod-a: 2 approvals from security`.
    pub fn describe(&self) -> String {
        let p = &self.policy;
        let n = p.approvals_required;
        let count = match n {
            0 => "no approval".to_string(),
            1 => "1 approval".to_string(),
            n => format!("{n} approvals"),
        };
        let teams = if n == 0 || p.approver_teams.is_empty() {
            String::new()
        } else {
            format!(" from {}", p.approver_teams.join(" or "))
        };
        format!("{}: {count}{teams}", self.label)
    }

    /// Whether `a` counts towards this policy on a request made by `requester`.
    pub fn counts(&self, a: &Approval, requester: &str) -> bool {
        let p = &self.policy;
        (a.reviewer != requester || p.allow_self_approval)
            && (a.any_team
                || p.approver_teams.is_empty()
                || a.teams.iter().any(|t| p.approver_teams.contains(t)))
    }
}

/// An approval given on a request, with what its reviewer could approve for at the time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub reviewer: String,
    /// Counts for every team: an admin (or a review stored before reviews kept their teams,
    /// which was checked against the request's single policy when it was given).
    pub any_team: bool,
    /// The teams in which the reviewer was an approver.
    pub teams: Vec<String>,
}

impl Approval {
    pub fn of(user: &crate::auth::CurrentUser) -> Approval {
        Approval {
            reviewer: user.username.clone(),
            any_team: user.is_admin,
            teams: user
                .teams
                .iter()
                .filter(|(_, r)| *r == crate::auth::Role::Approver)
                .map(|(t, _)| t.clone())
                .collect(),
        }
    }
}

/// Every policy a request must satisfy, combined. Stored on the request as its policy
/// snapshot (`api::changes::PolicySnapshot`); the flat fields are the combination, for lists
/// and for who may review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CombinedPolicy {
    /// The maximum of the policies' counts.
    pub approvals_required: u32,
    /// Approvers of these teams may review (each counts for the policies naming their team);
    /// empty when some policy accepts approvers of any team.
    pub approver_teams: Vec<String>,
    /// Only if every policy allows it.
    pub allow_self_approval: bool,
    /// The shortest.
    pub expiry_hours: u32,
    /// Which policies apply, e.g. `prod/mi-prod-a: 2 approvals from security; cluster prod:
    /// 1 approval from platform`.
    pub source: String,
    /// Empty on requests stored before policies were combined: see [`Self::requirements`].
    #[serde(default)]
    pub requirements: Vec<Requirement>,
    #[serde(default)]
    pub scope: Scope,
}

/// The policies of `rows` (those of the scope's environment, its cluster and `*`) that govern
/// `scope`. Specificity runs environment → cluster → provider: for each provider, the
/// environment's own (cluster, provider), (cluster), (`*`) policies, then the same for every
/// environment (`*`), then the built-in default.
pub fn matching(rows: &[Policy], scope: &Scope) -> Vec<Requirement> {
    let cluster = if scope.cluster.is_empty() { ANY_CLUSTER } else { scope.cluster.as_str() };
    let envs = scope.environments();
    let find = |e: &str, c: &str, p: &str| {
        rows.iter().find(|r| r.environment == e && r.cluster == c && r.capacity_provider == p)
    };
    let in_env = |e: &str, label: String| {
        if e == ANY_ENVIRONMENT {
            label
        } else {
            format!("{e}: {label}")
        }
    };
    let fallback = || {
        for e in &envs {
            if cluster != ANY_CLUSTER {
                if let Some(p) = find(e, cluster, "") {
                    return (p.clone(), in_env(e, format!("cluster {cluster}")));
                }
            }
            if let Some(p) = find(e, ANY_CLUSTER, "") {
                let label = if *e == ANY_ENVIRONMENT {
                    "all clusters (*)".to_string()
                } else {
                    "all clusters".into()
                };
                return (p.clone(), in_env(e, label));
            }
        }
        (Policy::builtin_default(cluster), "built-in default".to_string())
    };
    let mut out: Vec<Requirement> = Vec::new();
    let mut add =
        |(policy, label): (Policy, String), why: String| match out.iter_mut().find(|r| r.label == label) {
            Some(r) => r.why.push(why),
            None => out.push(Requirement { policy, label, why: vec![why] }),
        };
    let providers = scope.providers();
    if providers.is_empty() {
        if cluster == ANY_CLUSTER {
            add(fallback(), "the request touches no cluster".into());
        } else {
            let unknown = "no capacity provider known: every policy of the cluster applies";
            for r in rows.iter().filter(|r| {
                envs.contains(&r.environment.as_str())
                    && r.cluster == cluster
                    && !r.capacity_provider.is_empty()
            }) {
                add(
                    (r.clone(), in_env(&r.environment, format!("{cluster}/{}", r.capacity_provider))),
                    unknown.into(),
                );
            }
            add(fallback(), unknown.into());
        }
    }
    for p in &providers {
        // The environment's own policies first: its (cluster, provider), then its cluster or
        // `*` policy; only then those for every environment.
        let mut governing = None;
        for e in &envs {
            if cluster != ANY_CLUSTER {
                if let Some(own) = find(e, cluster, p) {
                    governing = Some((own.clone(), in_env(e, format!("{cluster}/{p}"))));
                    break;
                }
            }
            let wide = if cluster != ANY_CLUSTER {
                find(e, cluster, "").map(|w| (w, format!("cluster {cluster}")))
            } else {
                None
            };
            let wide = wide.or_else(|| {
                find(e, ANY_CLUSTER, "").map(|w| {
                    (
                        w,
                        if *e == ANY_ENVIRONMENT {
                            "all clusters (*)".to_string()
                        } else {
                            "all clusters".into()
                        },
                    )
                })
            });
            if let Some((w, label)) = wide {
                governing = Some((w.clone(), in_env(e, label)));
                break;
            }
        }
        add(governing.unwrap_or_else(fallback), scope.why(p));
    }
    out
}

/// Combines the policies a request must satisfy (see [`matching`]).
pub fn combine(requirements: Vec<Requirement>, scope: Scope) -> CombinedPolicy {
    let any_team = requirements.iter().any(|r| r.policy.approver_teams.is_empty());
    let mut teams: Vec<String> = Vec::new();
    for t in requirements.iter().flat_map(|r| &r.policy.approver_teams) {
        if !any_team && !teams.contains(t) {
            teams.push(t.clone());
        }
    }
    CombinedPolicy {
        approvals_required: requirements.iter().map(|r| r.policy.approvals_required).max().unwrap_or(0),
        approver_teams: teams,
        allow_self_approval: requirements.iter().all(|r| r.policy.allow_self_approval),
        expiry_hours: requirements
            .iter()
            .map(|r| r.policy.expiry_hours)
            .min()
            .unwrap_or(DEFAULT_EXPIRY_HOURS),
        source: requirements.iter().map(Requirement::describe).collect::<Vec<_>>().join("; "),
        requirements,
        scope,
    }
}

impl CombinedPolicy {
    /// The policies to satisfy; a request stored before policies were combined has one, its
    /// flat fields.
    pub fn requirements(&self) -> Vec<Requirement> {
        if !self.requirements.is_empty() {
            return self.requirements.clone();
        }
        vec![Requirement {
            policy: Policy {
                environment: any_environment(),
                cluster: self.scope.cluster.clone(),
                capacity_provider: String::new(),
                approvals_required: self.approvals_required,
                approver_teams: self.approver_teams.clone(),
                allow_self_approval: self.allow_self_approval,
                expiry_hours: self.expiry_hours,
            },
            label: self.source.clone(),
            why: vec![],
        }]
    }

    /// What is still missing before `approvals` satisfy every policy, one line per policy
    /// short of approvals (`prod/mi-prod-a: 1 more approval from security`); empty when done.
    pub fn shortfall(&self, requester: &str, approvals: &[Approval]) -> Vec<String> {
        let mut missing = Vec::new();
        for r in self.requirements() {
            let mut counted: Vec<&str> = Vec::new();
            for a in approvals.iter().filter(|a| r.counts(a, requester)) {
                if !counted.contains(&a.reviewer.as_str()) {
                    counted.push(&a.reviewer);
                }
            }
            let need = r.policy.approvals_required as usize;
            if counted.len() < need {
                let more = need - counted.len();
                let teams = if r.policy.approver_teams.is_empty() {
                    String::new()
                } else {
                    format!(" from {}", r.policy.approver_teams.join(" or "))
                };
                let s = if more == 1 { "" } else { "s" };
                missing.push(format!("{}: {more} more approval{s}{teams}", r.label));
            }
        }
        missing
    }

    pub fn is_satisfied(&self, requester: &str, approvals: &[Approval]) -> bool {
        self.shortfall(requester, approvals).is_empty()
    }
}

// ---- Reviews are bound to the version their reviewer saw ----

/// The version a review names (the request page's hidden field, the API body's `version`).
pub fn parse_review_version(s: &str) -> Result<i64, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("Say which version of the request you reviewed (its `version`).".into());
    }
    match t.parse::<i64>() {
        Ok(v) if v >= 1 => Ok(v),
        _ => Err(format!("The version must be a whole number from 1 (got {t}).")),
    }
}

/// Why a review of `seen` is refused when the request is at `current` (409).
pub fn stale_review_message(seen: i64, current: i64) -> String {
    format!(
        "The request changed since you opened it (you reviewed version {seen}; it is now version {current}). \
         Nothing was recorded: reload it and review version {current}."
    )
}

/// What the policy form posts, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyForm {
    /// An environment name, or `*` (or empty) for every environment.
    #[serde(default)]
    pub environment: String,
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

/// An environment name, or `*` (empty means `*`: the form's default).
pub fn parse_policy_environment(s: &str) -> Result<String, String> {
    match s.trim() {
        "" | ANY_ENVIRONMENT => Ok(ANY_ENVIRONMENT.to_string()),
        name => super::environment::parse_environment_name(name),
    }
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
        let environment = e.check("environment", parse_policy_environment(&self.environment));
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
        match (environment, cluster, provider, approvals, teams, expiry) {
            (
                Some(environment),
                Some(cluster),
                Some(capacity_provider),
                Some(approvals_required),
                Some(approver_teams),
                Some(expiry_hours),
            ) if e.is_empty() => Ok(Policy {
                environment,
                cluster,
                capacity_provider,
                approvals_required,
                approver_teams,
                allow_self_approval: super::form::checked(&self.allow_self_approval),
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
            environment: String::new(),
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
                environment: "*".into(),
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

    fn pol(cluster: &str, provider: &str, n: u32, teams: &[&str], self_ok: bool, hours: u32) -> Policy {
        Policy {
            environment: "*".into(),
            cluster: cluster.into(),
            capacity_provider: provider.into(),
            approvals_required: n,
            approver_teams: teams.iter().map(|t| t.to_string()).collect(),
            allow_self_approval: self_ok,
            expiry_hours: hours,
        }
    }

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn approver(name: &str, teams: &[&str]) -> Approval {
        Approval { reviewer: name.into(), any_team: false, teams: v(teams) }
    }

    /// The rows every case below starts from.
    fn rows() -> Vec<Policy> {
        vec![
            pol("*", "", 0, &[], false, 72),
            pol("prod", "", 1, &["platform"], false, 72),
            pol("prod", "mi-prod-a", 2, &["security"], false, 24),
            pol("prod", "mi-prod-c", 1, &[], true, 48),
            pol("lab", "", 1, &[], true, 12),
        ]
    }

    #[test]
    fn scope_is_the_union_of_now_and_target() {
        let s = Scope::new("prod", &v(&["b", "a", "a"]), &v(&["c", "b"]));
        assert_eq!(s.providers(), v(&["a", "b", "c"]));
        assert_eq!(s.why("a"), "a: runs there now, leaves it");
        assert_eq!(s.why("b"), "b: runs there now and will");
        assert_eq!(s.why("c"), "c: will run there");
    }

    /// Which policies apply and the combination, for every shape of scope.
    #[test]
    fn combination_table() {
        struct Case {
            what: &'static str,
            cluster: &'static str,
            now: &'static [&'static str],
            target: &'static [&'static str],
            labels: &'static [&'static str],
            approvals: u32,
            teams: &'static [&'static str],
            self_ok: bool,
            hours: u32,
        }
        let cases = [
            Case {
                what: "new daemon on an unlisted provider",
                cluster: "prod",
                now: &[],
                target: &["mi-prod-b"],
                labels: &["cluster prod"],
                approvals: 1,
                teams: &["platform"],
                self_ok: false,
                hours: 72,
            },
            Case {
                what: "new daemon on a strict provider",
                cluster: "prod",
                now: &[],
                target: &["mi-prod-a"],
                labels: &["prod/mi-prod-a"],
                approvals: 2,
                teams: &["security"],
                self_ok: false,
                hours: 24,
            },
            Case {
                what: "two providers, two policies",
                cluster: "prod",
                now: &[],
                target: &["mi-prod-a", "mi-prod-b"],
                labels: &["prod/mi-prod-a", "cluster prod"],
                approvals: 2,
                teams: &["security", "platform"],
                self_ok: false,
                hours: 24,
            },
            Case {
                what: "delete: where it runs now",
                cluster: "prod",
                now: &["mi-prod-a"],
                target: &[],
                labels: &["prod/mi-prod-a"],
                approvals: 2,
                teams: &["security"],
                self_ok: false,
                hours: 24,
            },
            Case {
                what: "move from [a, b] to [b] keeps a",
                cluster: "prod",
                now: &["mi-prod-a", "mi-prod-b"],
                target: &["mi-prod-b"],
                labels: &["prod/mi-prod-a", "cluster prod"],
                approvals: 2,
                teams: &["security", "platform"],
                self_ok: false,
                hours: 24,
            },
            Case {
                what: "rollback from c to b",
                cluster: "prod",
                now: &["mi-prod-c"],
                target: &["mi-prod-b"],
                labels: &["cluster prod", "prod/mi-prod-c"],
                approvals: 1,
                teams: &[],
                self_ok: false,
                hours: 48,
            },
            Case {
                what: "any-team policy widens who may review",
                cluster: "prod",
                now: &[],
                target: &["mi-prod-c"],
                labels: &["prod/mi-prod-c"],
                approvals: 1,
                teams: &[],
                self_ok: true,
                hours: 48,
            },
            Case {
                what: "self-approval only if all allow",
                cluster: "prod",
                now: &["mi-prod-c"],
                target: &["mi-prod-a"],
                labels: &["prod/mi-prod-a", "prod/mi-prod-c"],
                approvals: 2,
                teams: &[],
                self_ok: false,
                hours: 24,
            },
            Case {
                what: "unknown providers: every policy of the cluster",
                cluster: "prod",
                now: &[],
                target: &[],
                labels: &["prod/mi-prod-a", "prod/mi-prod-c", "cluster prod"],
                approvals: 2,
                teams: &[],
                self_ok: false,
                hours: 24,
            },
            Case {
                what: "cluster without a policy falls back to *",
                cluster: "dev",
                now: &["x"],
                target: &["y"],
                labels: &["all clusters (*)"],
                approvals: 0,
                teams: &[],
                self_ok: false,
                hours: 72,
            },
            Case {
                what: "no cluster: *",
                cluster: "",
                now: &[],
                target: &[],
                labels: &["all clusters (*)"],
                approvals: 0,
                teams: &[],
                self_ok: false,
                hours: 72,
            },
            Case {
                what: "cluster policy with self-approval",
                cluster: "lab",
                now: &["x"],
                target: &["x"],
                labels: &["cluster lab"],
                approvals: 1,
                teams: &[],
                self_ok: true,
                hours: 12,
            },
        ];
        for c in cases {
            let scope = Scope::new(c.cluster, &v(c.now), &v(c.target));
            let got = combine(matching(&rows(), &scope), scope.clone());
            let labels: Vec<&str> = got.requirements.iter().map(|r| r.label.as_str()).collect();
            assert_eq!(labels, c.labels, "{}", c.what);
            assert_eq!(
                (
                    got.approvals_required,
                    got.approver_teams.clone(),
                    got.allow_self_approval,
                    got.expiry_hours
                ),
                (c.approvals, v(c.teams), c.self_ok, c.hours),
                "{}",
                c.what
            );
            assert_eq!(got.scope, scope);
        }
        // Without a `*` row, the built-in default.
        let scope = Scope::new("dev", &[], &v(&["x"]));
        let got = combine(matching(&rows()[1..], &scope), scope);
        assert_eq!(got.requirements[0].label, "built-in default");
        assert_eq!(got.requirements[0].policy, Policy::builtin_default("dev"));
    }

    #[test]
    fn the_page_says_which_policies_apply_and_why() {
        let scope = Scope::new("prod", &v(&["mi-prod-a", "mi-prod-b"]), &v(&["mi-prod-b"]));
        let got = combine(matching(&rows(), &scope), scope);
        assert_eq!(
            got.source,
            "prod/mi-prod-a: 2 approvals from security; cluster prod: 1 approval from platform"
        );
        assert_eq!(got.requirements[0].why, v(&["mi-prod-a: runs there now, leaves it"]));
        assert_eq!(got.requirements[1].why, v(&["mi-prod-b: runs there now and will"]));
        let zero = combine(matching(&rows(), &Scope::new("", &[], &[])), Scope::default());
        assert_eq!(zero.source, "all clusters (*): no approval");
        assert_eq!(zero.requirements[0].why, v(&["the request touches no cluster"]));
    }

    /// Each policy must be satisfied by its own teams; one approver may count for several.
    #[test]
    fn satisfaction_table() {
        let scope = Scope::new("prod", &[], &v(&["mi-prod-a", "mi-prod-b"]));
        let both = combine(matching(&rows(), &scope), scope);
        let sec1 = approver("sam", &["security"]);
        let sec2 = approver("sue", &["security"]);
        let plat = approver("bob", &["platform"]);
        let dual = approver("dee", &["security", "platform"]);
        let admin = Approval { reviewer: "root".into(), any_team: true, teams: vec![] };
        let cases: Vec<(&str, Vec<Approval>, Vec<&str>)> = vec![
            (
                "nobody",
                vec![],
                vec![
                    "prod/mi-prod-a: 2 more approvals from security",
                    "cluster prod: 1 more approval from platform",
                ],
            ),
            (
                "two from security, none from platform",
                vec![sec1.clone(), sec2.clone()],
                vec!["cluster prod: 1 more approval from platform"],
            ),
            (
                "one from each",
                vec![sec1.clone(), plat.clone()],
                vec!["prod/mi-prod-a: 1 more approval from security"],
            ),
            (
                "the same person twice counts once",
                vec![sec1.clone(), sec1.clone(), plat.clone()],
                vec!["prod/mi-prod-a: 1 more approval from security"],
            ),
            ("all three teams satisfied", vec![sec1.clone(), sec2.clone(), plat.clone()], vec![]),
            ("one approver in both teams counts for both", vec![dual.clone(), sec1.clone()], vec![]),
            ("an admin counts for every team", vec![admin.clone(), sec1.clone()], vec![]),
            (
                "platform approvers cannot make up security's count",
                vec![plat.clone(), approver("pat", &["platform"]), sec1.clone()],
                vec!["prod/mi-prod-a: 1 more approval from security"],
            ),
        ];
        for (what, approvals, want) in cases {
            assert_eq!(both.shortfall("alice", &approvals), want, "{what}");
            assert_eq!(both.is_satisfied("alice", &approvals), want.is_empty(), "{what}");
        }
        // Self-approval counts only towards policies that allow it.
        let lab = combine(matching(&rows(), &Scope::new("lab", &[], &v(&["x"]))), Scope::default());
        assert!(lab.is_satisfied("alice", &[approver("alice", &["platform"])]));
        assert!(!both.is_satisfied("dee", &[dual.clone(), sec1.clone()]), "the requester's own approval");
        // No approval needed.
        let zero = combine(matching(&rows(), &Scope::new("dev", &[], &v(&["x"]))), Scope::default());
        assert!(zero.is_satisfied("alice", &[]));
    }

    #[test]
    fn requests_stored_before_combining_keep_their_single_policy() {
        let old: CombinedPolicy = serde_json::from_str(
            r#"{"approvals_required":1,"approver_teams":["platform"],"allow_self_approval":false,"expiry_hours":72,"source":"cluster prod"}"#,
        )
        .unwrap();
        assert_eq!(old.requirements().len(), 1);
        assert!(!old.is_satisfied("alice", &[approver("x", &["security"])]));
        assert!(old.is_satisfied("alice", &[approver("bob", &["platform"])]));
    }

    #[test]
    fn review_versions() {
        assert_eq!(parse_review_version(" 3 "), Ok(3));
        for bad in ["", "0", "-1", "x", "1.5"] {
            assert!(parse_review_version(bad).is_err(), "{bad}");
        }
        assert!(stale_review_message(1, 2).contains("review version 2"));
    }

    #[test]
    fn an_approval_carries_the_reviewers_approver_teams() {
        use crate::auth::{CurrentUser, Role};
        let u = CurrentUser {
            username: "bob".into(),
            is_admin: false,
            teams: vec![("platform".into(), Role::Approver), ("web".into(), Role::Deployer)],
        };
        assert_eq!(Approval::of(&u), approver("bob", &["platform"]));
        assert!(Approval::of(&CurrentUser { is_admin: true, ..u }).any_team);
    }
}
