//! What an infrastructure-as-code export asks for: a format and a target (one revision, or
//! daemons of one cluster), read from the export form's query string. Pure, so the pages can
//! name the formats; the rendering is server-only (`services/iac/`).

use serde::{Deserialize, Serialize};

use super::{names::ResourceName, FieldErrors};

/// At most this many daemons in one export (a cluster's page shows about this many).
pub const MAX_EXPORT_DAEMONS: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    /// A CloudFormation template in YAML.
    CloudFormationYaml,
    /// The same template in JSON.
    CloudFormationJson,
    /// Terraform HCL for the AWS provider.
    Terraform,
    /// The `--cli-input-json` documents of the AWS CLI.
    CliJson,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 4] =
        [Self::CloudFormationYaml, Self::CloudFormationJson, Self::Terraform, Self::CliJson];

    /// The value in URLs (`format=`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CloudFormationYaml => "cloudformation-yaml",
            Self::CloudFormationJson => "cloudformation-json",
            Self::Terraform => "terraform",
            Self::CliJson => "cli-json",
        }
    }

    /// What the Format select shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::CloudFormationYaml => "CloudFormation (YAML)",
            Self::CloudFormationJson => "CloudFormation (JSON)",
            Self::Terraform => "Terraform",
            Self::CliJson => "AWS CLI JSON",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|f| f.as_str() == s.trim()).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|f| f.as_str()).collect();
            format!("Choose a format: {}.", known.join(", "))
        })
    }

    /// The file name's ending.
    pub fn extension(self) -> &'static str {
        match self {
            Self::CloudFormationYaml => "cfn.yaml",
            Self::CloudFormationJson => "cfn.json",
            Self::Terraform => "tf",
            Self::CliJson => "cli.json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::CloudFormationYaml => "application/yaml; charset=utf-8",
            Self::CloudFormationJson | Self::CliJson => "application/json",
            Self::Terraform => "text/plain; charset=utf-8",
        }
    }
}

/// What to export.
#[derive(Clone, Debug, PartialEq)]
pub enum ExportTarget {
    /// One daemon task definition revision.
    Revision { family: ResourceName, revision: u32 },
    /// Daemons of one cluster, each with the task definition it runs.
    Daemons { cluster: ResourceName, daemons: Vec<ResourceName> },
}

/// A checked export request: the query string of `GET /iac/export`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportRequest {
    pub format: ExportFormat,
    pub target: ExportTarget,
    /// "" for the default environment.
    pub environment: String,
    /// Answer as an attachment rather than as text to read.
    pub download: bool,
}

impl ExportRequest {
    /// Reads `format`, `environment`, `download`, and either `family` + `revision` or `cluster`
    /// + `daemon` (repeatable). Unknown keys are ignored, as a GET form may carry others.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        let one = |k: &str| pairs.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.trim());
        let format = match one("format") {
            Some(f) => e.check("format", ExportFormat::parse(f)),
            None => {
                e.add("format", "Choose a format.");
                None
            }
        };
        let daemons: Vec<&str> = pairs
            .iter()
            .filter(|(k, v)| k == "daemon" && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .collect();
        let family = one("family").filter(|s| !s.is_empty());
        let target = match (family, daemons.is_empty()) {
            (Some(_), false) => {
                e.add("target", "Export a revision (family and revision) or daemons, not both.");
                None
            }
            (Some(family), true) => {
                let family = e.check("family", ResourceName::parse("daemon task definition family", family));
                let revision = match one("revision").map(str::parse::<u32>) {
                    Some(Ok(r)) if r > 0 => Some(r),
                    _ => {
                        e.add("revision", "Choose a revision number.");
                        None
                    }
                };
                family.zip(revision).map(|(family, revision)| ExportTarget::Revision { family, revision })
            }
            (None, false) => {
                let cluster =
                    e.check("cluster", ResourceName::parse("cluster", one("cluster").unwrap_or("")));
                let mut names: Vec<ResourceName> = Vec::new();
                for d in &daemons {
                    if let Some(n) = e.check("daemon", ResourceName::parse("daemon name", d)) {
                        if !names.contains(&n) {
                            names.push(n);
                        }
                    }
                }
                if names.len() > MAX_EXPORT_DAEMONS {
                    e.add("daemon", format!("Export at most {MAX_EXPORT_DAEMONS} daemons at once."));
                }
                cluster.map(|cluster| ExportTarget::Daemons { cluster, daemons: names })
            }
            (None, true) => {
                e.add("daemon", "Choose at least one daemon, or a revision (family and revision).");
                None
            }
        };
        match (format, target) {
            (Some(format), Some(target)) if e.is_empty() => Ok(Self {
                format,
                target,
                environment: one("environment").unwrap_or("").to_string(),
                download: one("download").is_some_and(|d| d == "1" || d == "true"),
            }),
            _ => Err(e),
        }
    }

    /// The query string that asks for this export (the page's Download link, links between
    /// formats).
    pub fn query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = vec![("format", self.format.as_str().to_string())];
        if !self.environment.is_empty() {
            pairs.push(("environment", self.environment.clone()));
        }
        match &self.target {
            ExportTarget::Revision { family, revision } => {
                pairs.push(("family", family.to_string()));
                pairs.push(("revision", revision.to_string()));
            }
            ExportTarget::Daemons { cluster, daemons } => {
                pairs.push(("cluster", cluster.to_string()));
                pairs.extend(daemons.iter().map(|d| ("daemon", d.to_string())));
            }
        }
        if self.download {
            pairs.push(("download", "1".into()));
        }
        // Names are letters, digits, - and _; an environment name may need escaping.
        pairs.iter().map(|(k, v)| format!("{k}={}", escape(v))).collect::<Vec<_>>().join("&")
    }
}

fn escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_revision_and_a_daemon_selection_parse() {
        let r = ExportRequest::from_pairs(&pairs(&[
            ("format", "terraform"),
            ("family", "cw-agent"),
            ("revision", "3"),
        ]))
        .unwrap();
        assert_eq!(r.format, ExportFormat::Terraform);
        assert!(
            matches!(r.target, ExportTarget::Revision { ref family, revision: 3 } if family.as_str() == "cw-agent")
        );
        assert!(!r.download);

        let r = ExportRequest::from_pairs(&pairs(&[
            ("format", "cloudformation-yaml"),
            ("environment", "staging us"),
            ("cluster", "prod"),
            ("daemon", "a"),
            ("daemon", "b"),
            ("daemon", "a"),
            ("daemon", ""),
            ("download", "1"),
        ]))
        .unwrap();
        let ExportTarget::Daemons { cluster, daemons } = &r.target else { panic!("{r:?}") };
        assert_eq!(cluster.as_str(), "prod");
        assert_eq!(daemons.iter().map(|d| d.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert!(r.download);
        assert_eq!(
            r.query(),
            "format=cloudformation-yaml&environment=staging%20us&cluster=prod&daemon=a&daemon=b&download=1"
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let e = ExportRequest::from_pairs(&pairs(&[("format", "pulumi")])).unwrap_err();
        assert!(e.get("format").unwrap().contains("cloudformation-yaml"), "{e:?}");
        assert!(e.get("daemon").is_some(), "{e:?}");
        let e = ExportRequest::from_pairs(&pairs(&[("format", "cli-json"), ("family", "a b")])).unwrap_err();
        assert!(e.get("family").is_some() && e.get("revision").is_some(), "{e:?}");
        let e = ExportRequest::from_pairs(&pairs(&[
            ("format", "cli-json"),
            ("family", "a"),
            ("revision", "1"),
            ("daemon", "x"),
        ]))
        .unwrap_err();
        assert!(e.get("target").is_some(), "{e:?}");
        let e = ExportRequest::from_pairs(&pairs(&[("format", "terraform"), ("daemon", "x")])).unwrap_err();
        assert!(e.get("cluster").is_some(), "{e:?}");
    }

    #[test]
    fn every_format_reads_back_from_its_url_value() {
        for f in ExportFormat::ALL {
            assert_eq!(ExportFormat::parse(f.as_str()), Ok(f));
        }
    }
}
