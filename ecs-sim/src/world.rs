//! What the emulator starts with: the default demo worlds, an empty one, or a
//! JSON world file of the same shape as [`WorldsFile`]: the default account's
//! default region at the top level ([`WorldFile`], the whole file before
//! accounts existed), further accounts with their regions and roles, and the
//! access keys that act in them.

use crate::arn::{self, Scope};
use crate::error::SimError;
use crate::state::iam::{Role, DEFAULT_SESSION_SECONDS, MAX_SESSION_SECONDS, MIN_SESSION_SECONDS};
use crate::state::worlds::Worlds;
use crate::state::{AppService, Cluster, Ms, Provider, State};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Clone, Debug, PartialEq, Default)]
pub enum WorldSpec {
    #[default]
    Default,
    Empty,
    File(PathBuf),
}

impl FromStr for WorldSpec {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "default" => Self::Default,
            "empty" => Self::Empty,
            path => Self::File(PathBuf::from(path)),
        })
    }
}

impl std::fmt::Display for WorldSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Default => f.write_str("default"),
            Self::Empty => f.write_str("empty"),
            Self::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// One world's contents (one account in one region); also the top level of a
/// world file, which is the default account's default region.
///
/// ```json
/// { "clusters": [ { "name": "default", "capacityProviders": [
///     { "name": "mi-general", "instances": 4, "vcpu": 4, "memoryMiB": 16384,
///       "services": [ { "name": "web", "image": "nginx:1.27", "cpu": 512, "memory": 1024 } ] } ] } ],
///   "alarms": [ { "name": "daemon-errors", "state": "OK" } ] }
/// ```
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorldFile {
    #[serde(default)]
    pub clusters: Vec<ClusterSpec>,
    #[serde(default)]
    pub alarms: Vec<AlarmSpec>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterSpec {
    pub name: String,
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    #[serde(default)]
    pub capacity_providers: Vec<ProviderSpec>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderSpec {
    pub name: String,
    pub instances: u32,
    #[serde(default = "default_vcpu")]
    pub vcpu: u32,
    #[serde(default = "default_memory", rename = "memoryMiB")]
    pub memory_mib: u32,
    #[serde(default)]
    pub services: Vec<AppService>,
}

fn default_vcpu() -> u32 {
    4
}
fn default_memory() -> u32 {
    16384
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AlarmSpec {
    pub name: String,
    #[serde(default = "default_alarm_state")]
    pub state: String,
}

fn default_alarm_state() -> String {
    "OK".into()
}

fn svc(name: &str, image: &str, cpu: u32, memory: u32) -> AppService {
    AppService { name: name.into(), image: image.into(), cpu, memory }
}

impl WorldFile {
    /// The demo world `make run` shows.
    pub fn default_world() -> Self {
        let apps = vec![
            svc("web", "public.ecr.aws/nginx/nginx:1.27", 512, 1024),
            svc("api", "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:2.14.0", 512, 2048),
            svc("worker", "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:2.14.0", 256, 1024),
        ];
        let p = |name: &str, instances, vcpu, memory_mib, services: &Vec<AppService>| ProviderSpec {
            name: name.into(),
            instances,
            vcpu,
            memory_mib,
            services: services.clone(),
        };
        Self {
            clusters: vec![
                ClusterSpec {
                    name: "default".into(),
                    tags: vec![("env".into(), "dev".into())],
                    capacity_providers: vec![
                        p("mi-general", 4, 4, 16384, &apps),
                        p("mi-canary", 1, 2, 8192, &apps[..1].to_vec()),
                    ],
                },
                ClusterSpec {
                    name: "prod".into(),
                    tags: vec![("env".into(), "prod".into())],
                    capacity_providers: vec![
                        p("mi-prod-a", 6, 8, 32768, &apps),
                        p("mi-prod-b", 6, 8, 32768, &apps),
                    ],
                },
            ],
            alarms: vec![
                AlarmSpec { name: "daemon-errors".into(), state: "OK".into() },
                AlarmSpec { name: "app-5xx".into(), state: "OK".into() },
            ],
        }
    }

    /// A large synthetic world for benchmarks: `providers` providers sharing
    /// `instances` instances in one cluster named `big`.
    pub fn large(instances: u32, providers: u32) -> Self {
        let per = instances / providers.max(1);
        let extra = instances % providers.max(1);
        Self {
            clusters: vec![ClusterSpec {
                name: "big".into(),
                tags: Vec::new(),
                capacity_providers: (0..providers)
                    .map(|i| ProviderSpec {
                        name: format!("mi-big-{i:03}"),
                        instances: per + u32::from(i < extra),
                        vcpu: 16,
                        memory_mib: 65536,
                        services: vec![svc("web", "nginx:1.27", 256, 512)],
                    })
                    .collect(),
            }],
            alarms: vec![AlarmSpec { name: "daemon-errors".into(), state: "OK".into() }],
        }
    }

    /// Builds the default account's default region at time `now`, with every
    /// instance ACTIVE and running its app tasks.
    pub fn build(&self, now: Ms) -> Result<State, SimError> {
        self.build_in(Scope::default(), now)
    }

    /// Builds this world in `scope` at time `now`.
    pub fn build_in(&self, scope: Scope, now: Ms) -> Result<State, SimError> {
        let err = |message: String| SimError::World {
            path: "<world>".into(),
            message: format!("{scope}: {message}"),
        };
        let mut st = State::in_scope(scope.clone(), now);
        for c in &self.clusters {
            if st.clusters.contains_key(&c.name) {
                return Err(err(format!("duplicate cluster {}", c.name)));
            }
            let seq = st.next_seq();
            st.clusters.insert(
                c.name.clone(),
                Cluster {
                    name: c.name.clone(),
                    seq,
                    tags: c.tags.clone(),
                    providers: c.capacity_providers.iter().map(|p| p.name.clone()).collect(),
                    instances: Default::default(),
                    tasks: Default::default(),
                    daemons: Default::default(),
                },
            );
            for p in &c.capacity_providers {
                if st.providers.contains_key(&p.name) {
                    return Err(err(format!("duplicate capacity provider {}", p.name)));
                }
                let seq = st.next_seq();
                st.providers.insert(
                    p.name.clone(),
                    Provider {
                        name: p.name.clone(),
                        cluster: c.name.clone(),
                        seq,
                        desired: p.instances,
                        vcpu: p.vcpu,
                        memory: p.memory_mib,
                        services: p.services.clone(),
                        instances: Default::default(),
                        daemons: Default::default(),
                    },
                );
                for _ in 0..p.instances {
                    st.place_ready_instance(&p.name);
                }
            }
        }
        for a in &self.alarms {
            if !["OK", "ALARM", "INSUFFICIENT_DATA"].contains(&a.state.as_str()) {
                return Err(err(format!("alarm {} has invalid state {}", a.name, a.state)));
            }
            st.set_alarm(&a.name, &a.state);
        }
        Ok(st)
    }
}

/// A world file: [`WorldFile`]'s `clusters` and `alarms` for the default account
/// (`123456789012`) in the default region (`us-east-1`), then the other accounts.
///
/// ```json
/// { "clusters": [ … ], "alarms": [ … ],
///   "accessKeys": { "AKIAEXAMPLESTAGING01": "staging" },
///   "accounts": [
///     { "id": "234567890123", "name": "staging",
///       "roles": [ { "name": "DaemonPortal", "externalId": "daemon-portal-staging" } ],
///       "regions": [ { "region": "eu-west-1", "clusters": [ … ], "alarms": [ … ] } ] } ] }
/// ```
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorldsFile {
    #[serde(default)]
    pub clusters: Vec<ClusterSpec>,
    #[serde(default)]
    pub alarms: Vec<AlarmSpec>,
    /// Access key id → account (id or name). Keys not listed act in the default account.
    #[serde(default)]
    pub access_keys: BTreeMap<String, String>,
    #[serde(default)]
    pub accounts: Vec<AccountSpec>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountSpec {
    /// 12 digits.
    pub id: String,
    /// Defaults to the id.
    #[serde(default)]
    pub name: Option<String>,
    /// Roles STS AssumeRole hands out: `arn:aws:iam::ID:role/NAME`.
    #[serde(default)]
    pub roles: Vec<RoleSpec>,
    #[serde(default)]
    pub regions: Vec<RegionSpec>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleSpec {
    pub name: String,
    /// Required of AssumeRole when set (the trust policy's `sts:ExternalId`).
    #[serde(default)]
    pub external_id: Option<String>,
    /// Longest session, seconds (900–43200, default 3600).
    #[serde(default)]
    pub max_session_seconds: Option<i64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegionSpec {
    pub region: String,
    #[serde(default)]
    pub clusters: Vec<ClusterSpec>,
    #[serde(default)]
    pub alarms: Vec<AlarmSpec>,
}

/// Region names as AWS spells them (`eu-west-1`): lowercase letters, digits, hyphens.
pub fn valid_region(region: &str) -> bool {
    (1..=32).contains(&region.len())
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl WorldsFile {
    /// The demo worlds `make run` shows: the default account as before, and `staging`
    /// (`234567890123`) in us-east-1 and eu-west-1, reachable with its access key or by
    /// assuming its role `DaemonPortal` (external id `daemon-portal-staging`).
    pub fn default_worlds() -> Self {
        let web = |account: &str, region: &str| {
            vec![
                svc("web", "public.ecr.aws/nginx/nginx:1.27", 512, 1024),
                svc("api", &format!("{account}.dkr.ecr.{region}.amazonaws.com/api:2.15.0-rc.1"), 512, 2048),
            ]
        };
        let p = |name: &str, instances, vcpu, memory_mib, services: Vec<AppService>| ProviderSpec {
            name: name.into(),
            instances,
            vcpu,
            memory_mib,
            services,
        };
        let staging = "234567890123";
        let top = WorldFile::default_world();
        Self {
            clusters: top.clusters,
            alarms: top.alarms,
            access_keys: BTreeMap::from([
                ("AKIAEXAMPLEDEFAULT01".to_string(), arn::ACCOUNT.to_string()),
                ("AKIAEXAMPLESTAGING01".to_string(), staging.to_string()),
            ]),
            accounts: vec![
                AccountSpec {
                    id: arn::ACCOUNT.into(),
                    name: Some("default".into()),
                    roles: vec![RoleSpec {
                        name: "DaemonPortal".into(),
                        external_id: None,
                        max_session_seconds: None,
                    }],
                    regions: vec![],
                },
                AccountSpec {
                    id: staging.into(),
                    name: Some("staging".into()),
                    roles: vec![RoleSpec {
                        name: "DaemonPortal".into(),
                        external_id: Some("daemon-portal-staging".into()),
                        max_session_seconds: Some(43_200),
                    }],
                    regions: vec![
                        RegionSpec {
                            region: "us-east-1".into(),
                            clusters: vec![ClusterSpec {
                                name: "staging".into(),
                                tags: vec![("env".into(), "staging".into())],
                                capacity_providers: vec![
                                    p("mi-staging", 3, 4, 16384, web(staging, "us-east-1")),
                                    p(
                                        "mi-staging-canary",
                                        1,
                                        2,
                                        8192,
                                        web(staging, "us-east-1")[..1].to_vec(),
                                    ),
                                ],
                            }],
                            alarms: vec![AlarmSpec { name: "daemon-errors".into(), state: "OK".into() }],
                        },
                        RegionSpec {
                            region: "eu-west-1".into(),
                            clusters: vec![ClusterSpec {
                                name: "staging-eu".into(),
                                tags: vec![("env".into(), "staging".into())],
                                capacity_providers: vec![p(
                                    "mi-staging-eu",
                                    2,
                                    4,
                                    16384,
                                    web(staging, "eu-west-1"),
                                )],
                            }],
                            alarms: vec![AlarmSpec { name: "daemon-errors".into(), state: "OK".into() }],
                        },
                    ],
                },
            ],
        }
    }

    pub fn load(spec: &WorldSpec) -> Result<Self, SimError> {
        match spec {
            WorldSpec::Default => Ok(Self::default_worlds()),
            WorldSpec::Empty => Ok(Self::default()),
            WorldSpec::File(path) => {
                let text = std::fs::read_to_string(path)?;
                serde_json::from_str(&text)
                    .map_err(|e| SimError::World { path: path.display().to_string(), message: e.to_string() })
            }
        }
    }

    /// Builds every world at time `now`.
    pub fn build(&self, now: Ms) -> Result<Worlds, SimError> {
        let err = |message: String| SimError::World { path: "<world>".into(), message };
        let mut w = Worlds::new(now);
        let top = WorldFile { clusters: self.clusters.clone(), alarms: self.alarms.clone() };
        w.insert(top.build(now)?);
        for a in &self.accounts {
            if a.id.len() != 12 || !a.id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(format!("account id {} is not 12 digits", a.id)));
            }
            if a.id != arn::ACCOUNT && w.iam.accounts.contains_key(&a.id) {
                return Err(err(format!("account {} is listed twice", a.id)));
            }
            let account = w.iam.add_account(&a.id, a.name.as_deref().unwrap_or(&a.id));
            if let Some(name) = &a.name {
                account.name = name.clone();
            }
            for r in &a.roles {
                let ok = !r.name.is_empty()
                    && r.name.len() <= 64
                    && r.name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
                if !ok {
                    return Err(err(format!(
                        "role name {:?} of account {} is not a valid IAM role name",
                        r.name, a.id
                    )));
                }
                let max = r.max_session_seconds.unwrap_or(DEFAULT_SESSION_SECONDS);
                if !(MIN_SESSION_SECONDS..=MAX_SESSION_SECONDS).contains(&max) {
                    return Err(err(format!("role {}: maxSessionSeconds must be 900-43200", r.name)));
                }
                let role = Role { external_id: r.external_id.clone(), max_session_seconds: max };
                if account.roles.insert(r.name.clone(), role).is_some() {
                    return Err(err(format!("role {} of account {} is listed twice", r.name, a.id)));
                }
            }
            for r in &a.regions {
                let scope = Scope::new(&a.id, &r.region);
                if !valid_region(&r.region) {
                    return Err(err(format!("account {}: invalid region {:?}", a.id, r.region)));
                }
                if scope == Scope::default() {
                    return Err(err(format!(
                        "account {} region {}: the default account's default region is the top level of the file",
                        a.id, r.region
                    )));
                }
                if w.worlds.contains_key(&scope) {
                    return Err(err(format!("account {} lists region {} twice", a.id, r.region)));
                }
                let world = WorldFile { clusters: r.clusters.clone(), alarms: r.alarms.clone() };
                w.insert(world.build_in(scope, now)?);
            }
        }
        for (key, account) in &self.access_keys {
            let Some(id) = w.iam.find_account(account).map(str::to_string) else {
                return Err(err(format!("access key {key} names unknown account {account}")));
            };
            w.iam.access_keys.insert(key.clone(), id);
        }
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_worlds_shape() {
        let w = WorldsFile::default_worlds().build(1_700_000_000_000).unwrap();
        let keys: Vec<String> = w.worlds.keys().map(|s| s.to_string()).collect();
        assert_eq!(keys, ["123456789012/us-east-1", "234567890123/eu-west-1", "234567890123/us-east-1"]);
        // The default account's region is exactly the world from before accounts.
        let st = &w.worlds[&Scope::default()];
        assert_eq!(st.clusters.keys().collect::<Vec<_>>(), ["default", "prod"]);
        assert_eq!(st.providers.len(), 4);
        let eu = &w.worlds[&Scope::new("234567890123", "eu-west-1")];
        assert_eq!(eu.clusters.keys().collect::<Vec<_>>(), ["staging-eu"]);
        assert_eq!(eu.providers["mi-staging-eu"].instances.len(), 2);
        let id = eu.providers["mi-staging-eu"].instances.iter().next().unwrap();
        assert!(eu
            .scope
            .container_instance("staging-eu", id)
            .starts_with("arn:aws:ecs:eu-west-1:234567890123:"));
        assert_eq!(w.iam.account_of("AKIAEXAMPLESTAGING01"), "234567890123");
        assert_eq!(
            w.iam.accounts["234567890123"].roles["DaemonPortal"].external_id.as_deref(),
            Some("daemon-portal-staging")
        );
        w.check_invariants().unwrap();
    }

    #[test]
    fn bad_world_files() {
        let bad = |json: &str| {
            let f: WorldsFile = serde_json::from_str(json).unwrap();
            f.build(0).is_err()
        };
        assert!(bad(r#"{"accounts": [{"id": "12"}]}"#));
        assert!(bad(r#"{"accounts": [{"id": "123456789012", "regions": [{"region": "us-east-1"}]}]}"#));
        assert!(bad(
            r#"{"accounts": [{"id": "234567890123", "regions": [{"region": "x"}, {"region": "x"}]}]}"#
        ));
        assert!(bad(r#"{"accounts": [{"id": "234567890123", "regions": [{"region": "EU WEST"}]}]}"#));
        assert!(bad(r#"{"accessKeys": {"AKIA": "nobody"}}"#));
        assert!(bad(r#"{"accounts": [{"id": "234567890123", "roles": [{"name": "a/b"}]}]}"#));
        // A file from before accounts is the default account's default region.
        let old: WorldsFile = serde_json::from_str(r#"{"clusters": [{"name": "lab"}]}"#).unwrap();
        let w = old.build(0).unwrap();
        assert_eq!(w.worlds.len(), 1);
        assert!(w.worlds[&Scope::default()].clusters.contains_key("lab"));
    }

    #[test]
    fn default_world_shape() {
        let st = WorldFile::default_world().build(1_700_000_000_000).unwrap();
        assert_eq!(st.clusters.len(), 2);
        assert_eq!(st.providers["mi-general"].instances.len(), 4);
        assert_eq!(st.providers["mi-canary"].instances.len(), 1);
        assert_eq!(st.providers["mi-prod-a"].instances.len(), 6);
        assert_eq!(st.providers["mi-prod-b"].instances.len(), 6);
        assert!(st.instances.values().all(|i| !i.app_tasks.is_empty()));
        assert!(st.tasks.values().all(|t| t.last_status == "RUNNING"));
        assert_eq!(st.alarms.len(), 2);
        assert!(st.timers.is_empty());
        st.check_invariants().unwrap();
    }

    #[test]
    fn spec_parsing() {
        assert_eq!("default".parse::<WorldSpec>().unwrap(), WorldSpec::Default);
        assert_eq!("empty".parse::<WorldSpec>().unwrap(), WorldSpec::Empty);
        assert_eq!("w.json".parse::<WorldSpec>().unwrap(), WorldSpec::File("w.json".into()));
    }
}
