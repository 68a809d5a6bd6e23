//! Every world on one clock: one independent [`State`] per (account, region),
//! and who may act in which account ([`Iam`]).
//!
//! Worlds share nothing but time: each has its own clusters, instances, task
//! definitions, alarms and timer queue, and writes its own scope into its ARNs.
//! A region nobody has used yet is an empty world, made when first asked for,
//! so it answers like ECS in an unused region (no clusters) rather than an error.

use super::iam::Iam;
use super::{Ms, State};
use crate::arn::Scope;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Worlds {
    /// Simulated time; every world is kept at it.
    pub now: Ms,
    pub iam: Iam,
    #[serde(with = "by_scope")]
    pub worlds: BTreeMap<Scope, State>,
}

impl Worlds {
    /// The default account only, with an empty default region.
    pub fn new(now: Ms) -> Self {
        let mut w = Self { now, iam: Iam::new(), worlds: BTreeMap::new() };
        w.world(&Scope::default());
        w
    }

    /// The world of `scope`, made empty if it did not exist yet.
    pub fn world(&mut self, scope: &Scope) -> &mut State {
        let now = self.now;
        self.worlds.entry(scope.clone()).or_insert_with(|| State::in_scope(scope.clone(), now))
    }

    /// The default account's default region, the only world before accounts.
    pub fn default_world(&mut self) -> &mut State {
        self.world(&Scope::default())
    }

    /// Adds (or replaces) a world, at the common clock.
    pub fn insert(&mut self, mut st: State) {
        st.now = self.now;
        self.worlds.insert(st.scope.clone(), st);
    }

    /// Runs every world's events due up to `t`; returns how many ran.
    pub fn advance_to(&mut self, t: Ms) -> usize {
        let t = t.max(self.now);
        let n = self.worlds.values_mut().map(|st| st.advance_to(t)).sum();
        self.now = t;
        n
    }

    /// Every world's invariants, and that each sits at its key and on the common clock.
    pub fn check_invariants(&self) -> Result<(), String> {
        for (scope, st) in &self.worlds {
            if &st.scope != scope {
                return Err(format!("world {scope} holds state of {}", st.scope));
            }
            if st.now != self.now {
                return Err(format!("world {scope} is at {} but the clock is at {}", st.now, self.now));
            }
            st.check_invariants().map_err(|e| format!("{scope}: {e}"))?;
        }
        Ok(())
    }
}

/// JSON maps need string keys, and each world already carries its scope: store a list.
mod by_scope {
    use super::{Scope, State};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(map: &BTreeMap<Scope, State>, s: S) -> Result<S::Ok, S::Error> {
        map.values().collect::<Vec<_>>().serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<Scope, State>, D::Error> {
        let v: Vec<State> = Vec::deserialize(d)?;
        Ok(v.into_iter().map(|st| (st.scope.clone(), st)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worlds_share_only_the_clock() {
        let mut w = Worlds::new(1_000);
        let eu = Scope::new("234567890123", "eu-west-1");
        w.world(&eu).set_alarm("a", "OK");
        assert!(w.default_world().alarms.is_empty());
        assert_eq!(w.advance_to(61_000), 0);
        assert!(w.worlds.values().all(|st| st.now == 61_000));
        // A world made later starts at the common clock.
        assert_eq!(w.world(&Scope::new("234567890123", "us-east-1")).now, 61_000);
        w.check_invariants().unwrap();
    }

    #[test]
    fn round_trips_through_json() {
        let mut w = Worlds::new(5);
        w.world(&Scope::new("234567890123", "eu-west-1"));
        let back: Worlds = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
        assert_eq!(back.worlds.keys().collect::<Vec<_>>(), w.worlds.keys().collect::<Vec<_>>());
    }
}
