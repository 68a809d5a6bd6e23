//! The two deletions a user can request: a daemon, and one revision of a daemon task
//! definition (a revision is named the same way to read it). The Draft is what the pages post
//! and `/api/v1` receives (the names typed as text); the Spec holds checked names.

use serde::{Deserialize, Serialize};

use super::{names::ResourceName, FieldErrors};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteDaemonDraft {
    pub cluster: String,
    pub daemon: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeleteDaemonSpec {
    pub cluster: ResourceName,
    pub daemon: ResourceName,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevisionDraft {
    pub family: String,
    pub revision: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RevisionSpec {
    pub family: ResourceName,
    pub revision: u32,
}

impl DeleteDaemonDraft {
    /// `daemon_key`: the daemon's field name where the request came from (`name` for the
    /// Delete dialog, `daemon` for `/api/v1`), so the message is keyed as it was posted.
    pub fn validate(&self, daemon_key: &str) -> Result<DeleteDaemonSpec, FieldErrors> {
        let mut e = FieldErrors::new();
        let cluster = e.check("cluster", ResourceName::parse("cluster", &self.cluster));
        let daemon = e.check(daemon_key, ResourceName::parse("daemon name", &self.daemon));
        match (cluster, daemon) {
            (Some(cluster), Some(daemon)) => Ok(DeleteDaemonSpec { cluster, daemon }),
            _ => Err(e),
        }
    }
}

impl RevisionDraft {
    pub fn validate(&self) -> Result<RevisionSpec, FieldErrors> {
        let mut e = FieldErrors::new();
        let family = e.check("family", ResourceName::parse("daemon task definition family", &self.family));
        if self.revision == 0 {
            e.add("revision", "Revisions start at 1.");
        }
        match family {
            Some(family) if e.is_empty() => Ok(RevisionSpec { family, revision: self.revision }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_keyed_as_posted() {
        let d = DeleteDaemonDraft { cluster: "prod".into(), daemon: "cw agent".into() };
        assert!(d.validate("name").unwrap_err().get("name").unwrap().contains("` `"));
        assert!(d.validate("daemon").unwrap_err().get("daemon").is_some());
        let ok =
            DeleteDaemonDraft { cluster: " prod ".into(), daemon: "cw".into() }.validate("name").unwrap();
        assert_eq!((ok.cluster.as_str(), ok.daemon.as_str()), ("prod", "cw"));
        let e = DeleteDaemonDraft::default().validate("daemon").unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
    }

    #[test]
    fn a_revision_needs_a_family_and_a_number_from_1() {
        let e = RevisionDraft { family: "".into(), revision: 0 }.validate().unwrap_err();
        assert!(e.get("family").unwrap().contains("Enter a daemon task definition family"));
        assert!(e.get("revision").unwrap().contains("start at 1"));
        let ok = RevisionDraft { family: "cw".into(), revision: 3 }.validate().unwrap();
        assert_eq!((ok.family.as_str(), ok.revision), ("cw", 3));
        assert!(serde_json::from_str::<RevisionDraft>(r#"{"family":"cw","revision":-1}"#).is_err());
    }
}
