//! What the emulator starts with: the default demo world, an empty one, or a
//! JSON world file of the same shape as [`WorldFile`].

use crate::error::SimError;
use crate::state::{AppService, Cluster, Ms, Provider, State};
use serde::{Deserialize, Serialize};
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

/// A world file.
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

    pub fn load(spec: &WorldSpec) -> Result<Self, SimError> {
        match spec {
            WorldSpec::Default => Ok(Self::default_world()),
            WorldSpec::Empty => Ok(Self::default()),
            WorldSpec::File(path) => {
                let text = std::fs::read_to_string(path)?;
                serde_json::from_str(&text)
                    .map_err(|e| SimError::World { path: path.display().to_string(), message: e.to_string() })
            }
        }
    }

    /// Builds the state at time `now`, with every instance ACTIVE and running
    /// its app tasks.
    pub fn build(&self, now: Ms) -> Result<State, SimError> {
        let err = |message: String| SimError::World { path: "<world>".into(), message };
        let mut st = State::new(now);
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

#[cfg(test)]
mod tests {
    use super::*;

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
