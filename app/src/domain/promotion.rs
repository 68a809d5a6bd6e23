//! Promotions: one daemon task definition revision taken through a pipeline's stages. The
//! states a promotion and each of its stages move through; the worker applies the transitions
//! in the database, each one conditional UPDATE (`services/promotions/store.rs`).
//!
//! ```text
//! promotion: running ⇄ paused ─▶ succeeded | failed | aborted        (running/paused ─abort─▶ aborted)
//! stage:     waiting ─▶ submitting ─▶ deploying ─▶ soaking ─▶ [promote_needed ─▶] succeeded
//!               │  (window, gates)       │ (change request)  │ (alarms, soak time)
//!               └──────────────▶ failed / aborted ◀───────────┘
//! ```
//! `waiting`: the stage is next and waits for its delivery window; `submitting`: its change
//! request's id is written down and the request is being made (a restart makes it with the same
//! id, so once); `deploying`: the request is in the approval workflow or executing;
//! `soaking`: ECS says SUCCESSFUL, every instance runs the revision, the soak time runs while
//! the alarms are watched; `promote_needed`: the soak passed and an approver must promote.

use serde::{Deserialize, Serialize};

macro_rules! states {
    ($name:ident { $($variant:ident = $s:literal, $label:literal, $badge:literal;)* }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s),* } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),* } }
            /// The status badge's class (`badge {tone}` in `components::badge`).
            pub fn badge(self) -> &'static str { match self { $($name::$variant => $badge),* } }
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|v| v.as_str() == s) }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s).ok_or_else(|| format!("unknown {} {s:?}", stringify!($name)))
            }
        }
    };
}

states!(PromotionState {
    Running = "running", "Running", "info";
    Paused = "paused", "Paused", "warn";
    Succeeded = "succeeded", "Succeeded", "ok";
    Failed = "failed", "Failed", "err";
    Aborted = "aborted", "Aborted", "muted";
});

states!(StageState {
    Pending = "pending", "Not started", "muted";
    Waiting = "waiting", "Waiting", "warn";
    Submitting = "submitting", "Requesting", "info";
    Deploying = "deploying", "Deploying", "info";
    Soaking = "soaking", "Soaking", "info";
    PromoteNeeded = "promote_needed", "Promote needed", "warn";
    Succeeded = "succeeded", "Succeeded", "ok";
    Failed = "failed", "Failed", "err";
    Aborted = "aborted", "Aborted", "muted";
});

impl PromotionState {
    pub fn is_final(self) -> bool {
        matches!(self, PromotionState::Succeeded | PromotionState::Failed | PromotionState::Aborted)
    }
}

impl StageState {
    /// The stage is the promotion's current one and has work before it ends.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            StageState::Waiting
                | StageState::Submitting
                | StageState::Deploying
                | StageState::Soaking
                | StageState::PromoteNeeded
        )
    }
}

/// One gate of a stage's checklist, with what it shows now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    pub name: String,
    pub state: GateState,
    /// The live value: "3 of 4 instances on cwagent:2", "1 min 20 s left", "daemon-errors: OK".
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateState {
    /// Not reached yet.
    Open,
    Waiting,
    Passed,
    Failed,
}

impl GateState {
    pub fn label(self) -> &'static str {
        match self {
            GateState::Open => "Not yet",
            GateState::Waiting => "Waiting",
            GateState::Passed => "Passed",
            GateState::Failed => "Failed",
        }
    }
    pub fn badge(self) -> &'static str {
        match self {
            GateState::Open => "muted",
            GateState::Waiting => "info",
            GateState::Passed => "ok",
            GateState::Failed => "err",
        }
    }
}

/// `family:revision` as the start form and `/api/v1` take it.
pub fn parse_family_revision(s: &str) -> Result<(String, u32), String> {
    let bad = || format!("{:?} is not a revision: write family:revision, e.g. cloudwatch-agent:2.", s.trim());
    let (family, rev) = s.trim().rsplit_once(':').ok_or_else(bad)?;
    let family = super::names::ResourceName::parse("daemon task definition family", family)?;
    let rev: u32 = rev.parse().ok().filter(|r| *r > 0).ok_or_else(bad)?;
    Ok((family.to_string(), rev))
}

/// "1 min 20 s" for a duration in ms (rounded up to the second, so "0 s" means done).
pub fn duration_text(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip() {
        for s in StageState::ALL {
            assert_eq!(StageState::parse(s.as_str()), Some(*s));
        }
        for s in PromotionState::ALL {
            assert_eq!(PromotionState::try_from(s.as_str().to_string()), Ok(*s));
        }
        assert!(StageState::parse("nope").is_none());
    }

    #[test]
    fn revisions_parse() {
        assert_eq!(parse_family_revision(" cwagent:2 "), Ok(("cwagent".to_string(), 2)));
        assert!(parse_family_revision("cwagent").is_err());
        assert!(parse_family_revision("cwagent:0").is_err());
        assert!(parse_family_revision("bad name:1").is_err());
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(duration_text(0), "0 s");
        assert_eq!(duration_text(1), "1 s");
        assert_eq!(duration_text(80_000), "1 min 20 s");
        assert_eq!(duration_text(120_000), "2 min");
        assert_eq!(duration_text(3_600_000 * 2 + 60_000 * 5), "2 h 5 min");
    }
}
