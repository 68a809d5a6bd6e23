//! Short-lived caches in front of ECS reads, so page views cost a few ECS calls whatever the
//! number of rows. Immutable things (daemon revisions, task definition sizes, finished
//! deployments) are kept for the life of the process; live state only for a few seconds, and
//! the portal drops what it changes itself. Each replica has its own: ECS stays the truth.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::Mutex,
    time::{Duration, Instant},
};

/// A map whose entries expire `ttl` after insertion (`None`: never).
pub struct TtlCache<K, V> {
    entries: Mutex<HashMap<K, (Option<Instant>, V)>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Default for TtlCache<K, V> {
    fn default() -> Self {
        Self { entries: Mutex::new(HashMap::new()) }
    }
}

/// Entries beyond this are dropped wholesale rather than tracked; a cold read costs a few calls.
const MAX_ENTRIES: usize = 50_000;

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().expect("cache lock");
        entries.get(key).filter(|(exp, _)| exp.is_none_or(|e| e > Instant::now())).map(|(_, v)| v.clone())
    }

    pub fn insert(&self, key: K, value: V, ttl: Option<Duration>) {
        let mut entries = self.entries.lock().expect("cache lock");
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (ttl.map(|t| Instant::now() + t), value));
    }

    pub fn remove_where(&self, pred: impl Fn(&K) -> bool) {
        self.entries.lock().expect("cache lock").retain(|k, _| !pred(k));
    }
}

/// How long live ECS state is reused by default (`PORTAL_ECS_CACHE_MS`).
pub const DEFAULT_LIVE_TTL: Duration = Duration::from_secs(2);
/// Clusters and capacity providers change rarely.
pub const SLOW_TTL: Duration = Duration::from_secs(30);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_can_be_dropped() {
        let c: TtlCache<String, u32> = TtlCache::default();
        c.insert("a".into(), 1, None);
        c.insert("b".into(), 2, Some(Duration::from_millis(0)));
        assert_eq!(c.get(&"a".into()), Some(1));
        assert_eq!(c.get(&"b".into()), None);
        c.remove_where(|k| k == "a");
        assert_eq!(c.get(&"a".into()), None);
    }
}

use app::api::clusters::{CapacityProviderInfo, ClusterSummary, InstanceRow};
use aws_sdk_ecs::types::{DaemonDeployment, DaemonDetail, DaemonRevision};

/// The caches in front of ECS, one per kind of read.
#[derive(Default)]
pub struct EcsCaches {
    /// How long live state (daemons, deployments in progress, instances) is reused; zero
    /// turns those caches off.
    pub live_ttl: Duration,
    /// All clusters (key `()`), or one cluster by name.
    pub clusters: TtlCache<Option<String>, Vec<ClusterSummary>>,
    /// Capacity providers by cluster name.
    pub providers: TtlCache<String, Vec<CapacityProviderInfo>>,
    /// Daemon ARNs by cluster name.
    pub daemon_arns: TtlCache<String, Vec<String>>,
    /// DescribeDaemon by daemon ARN.
    pub daemons: TtlCache<String, DaemonDetail>,
    /// Daemon revisions by ARN: immutable.
    pub revisions: TtlCache<String, DaemonRevision>,
    /// Deployments by ARN: kept for good once finished.
    pub deployments: TtlCache<String, DaemonDeployment>,
    /// Instances with tasks by (cluster, daemon filter).
    pub instances: TtlCache<(String, Option<String>), Vec<InstanceRow>>,
    /// (CPU units, MiB) one copy of a daemon task definition reserves: immutable.
    pub reservations: TtlCache<String, (u32, u32)>,
}

impl EcsCaches {
    pub fn new(live_ttl: Duration) -> Self {
        Self { live_ttl, ..Default::default() }
    }

    /// The expiry for live entries, or `None` when they must not be stored at all.
    pub fn live(&self) -> Option<Option<Duration>> {
        (!self.live_ttl.is_zero()).then_some(Some(self.live_ttl))
    }

    /// Forgets live state of a cluster after the portal changed something in it.
    pub fn invalidate_cluster(&self, cluster: &str) {
        let marker = format!(":daemon/{cluster}/");
        self.daemon_arns.remove_where(|c| c == cluster);
        self.daemons.remove_where(|arn| arn.contains(&marker));
        self.instances.remove_where(|(c, _)| c == cluster);
        self.deployments.remove_where(|arn| arn.contains(&format!(":daemon-deployment/{cluster}/")));
    }
}
