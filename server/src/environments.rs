//! Which environments the portal starts with: a `PORTAL_ENVIRONMENTS` file (TOML or JSON), or
//! the built-in ones (`app::services::environments::startup` says how each is applied).
//!
//! ```toml
//! [[environments]]
//! name = "prod-us-east-1"
//! account_id = "123456789012"
//! region = "us-east-1"
//! role_arn = "arn:aws:iam::123456789012:role/DaemonPortal"
//! external_id = "daemon-portal-prod"
//! default = true            # where history from before environments belongs
//!
//! [[environments]]
//! name = "dev-eu"
//! account_id = "234567890123"
//! region = "eu-west-1"
//! endpoint = "https://ecs.eu-west-1.amazonaws.com"   # optional
//! ```
//!
//! JSON is the same shape: `{"environments": [{"name": …, "account_id": …}, …]}`.

use std::path::Path;

use app::domain::environment::{Environment, EnvironmentForm};
use app::services::environments::startup::{FromFile, Given};
use serde::Deserialize;

use crate::config::{Config, EcsMode};
use crate::ecs::{EcsBase, SIM_ACCOUNT};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    environments: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(default)]
    name: String,
    #[serde(default)]
    account_id: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    role_arn: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    endpoint: String,
    #[serde(default)]
    default: bool,
}

/// What to start with, or why the file cannot be used (the portal then refuses to start: a
/// GitOps change with a typo must not silently drop environments).
pub async fn given(config: &Config, base: &EcsBase, http: &reqwest::Client) -> Result<Given, String> {
    if let Some(path) = &config.environments_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("PORTAL_ENVIRONMENTS {}: {e}", path.display()))?;
        return parse_file(path, &text).map(Given::File);
    }
    Ok(Given::BuiltIn(match config.ecs_mode {
        EcsMode::Aws => vec![Environment {
            name: "default".into(),
            account_id: None,
            region: base.sdk.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".into()),
            role_arn: None,
            external_id: None,
            endpoint: None,
        }],
        EcsMode::Embedded => match &base.sim_endpoint {
            Some(endpoint) => emulator_worlds(endpoint, http).await?,
            None => Vec::new(),
        },
    }))
}

pub fn parse_file(path: &Path, text: &str) -> Result<Vec<FromFile>, String> {
    let at = |e: String| format!("PORTAL_ENVIRONMENTS {}: {e}", path.display());
    let file: File = if path.extension().is_some_and(|x| x == "json") || text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| at(e.to_string()))?
    } else {
        toml::from_str(text).map_err(|e| at(e.to_string()))?
    };
    if file.environments.is_empty() {
        return Err(at("names no environment ([[environments]] entries)".into()));
    }
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (i, e) in file.environments.into_iter().enumerate() {
        let form = EnvironmentForm {
            name: e.name,
            account_id: e.account_id,
            region: e.region,
            role_arn: e.role_arn,
            external_id: e.external_id,
            endpoint: e.endpoint,
        };
        let env = form.parse().map_err(|errors| {
            let fields: Vec<String> = errors.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            at(format!("environment {} ({}): {}", i + 1, form.name, fields.join("; ")))
        })?;
        if seen.contains(&env.name) {
            return Err(at(format!("environment {} ({}): the name is used twice", i + 1, env.name)));
        }
        seen.push(env.name.clone());
        out.push(FromFile { env, default: e.default });
    }
    if out.iter().filter(|f| f.default).count() > 1 {
        return Err(at("more than one environment says default = true".into()));
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Worlds {
    accounts: Vec<Account>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Account {
    id: String,
    name: String,
    roles: Vec<Role>,
    regions: Vec<RegionEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Role {
    arn: String,
    external_id: Option<String>,
}

#[derive(Deserialize)]
struct RegionEntry {
    region: String,
}

/// One environment per emulator world, as its control API lists them: the default account's
/// worlds act with the portal's key, the others by assuming their account's first role (as a
/// real multi-account setup would). A world is named after its account, with the region after
/// it for the account's further regions: `default`, `staging`, `staging-eu-west-1`.
async fn emulator_worlds(endpoint: &str, http: &reqwest::Client) -> Result<Vec<Environment>, String> {
    let worlds: Worlds =
        async { http.get(format!("{endpoint}/_sim/worlds")).send().await?.error_for_status()?.json().await }
            .await
            .map_err(|e: reqwest::Error| format!("the emulator's worlds: {e}"))?;
    let mut envs = Vec::new();
    for account in worlds.accounts {
        let role = account.roles.first();
        if account.id != SIM_ACCOUNT && role.is_none() {
            continue;
        }
        let mut regions: Vec<String> = account.regions.into_iter().map(|r| r.region).collect();
        regions.sort_by_key(|r| (r != crate::ecs::SIM_REGION, r.clone()));
        for (i, region) in regions.into_iter().enumerate() {
            let name = if i == 0 { account.name.clone() } else { format!("{}-{region}", account.name) };
            let (role_arn, external_id) = match (account.id == SIM_ACCOUNT, role) {
                (false, Some(r)) => (Some(r.arn.clone()), r.external_id.clone()),
                _ => (None, None),
            };
            envs.push(Environment {
                name,
                account_id: Some(account.id.clone()),
                region,
                role_arn,
                external_id,
                endpoint: None,
            });
        }
    }
    // The default account's first world first: it becomes the default environment.
    envs.sort_by_key(|e| e.account_id.as_deref() != Some(SIM_ACCOUNT));
    Ok(envs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toml_file_parses_with_its_default() {
        let text = r#"
            [[environments]]
            name = "prod-us-east-1"
            account_id = "123456789012"
            region = "us-east-1"
            role_arn = "arn:aws:iam::123456789012:role/DaemonPortal"
            external_id = "x-123"

            [[environments]]
            name = "dev"
            account_id = "234567890123"
            region = "eu-west-1"
            default = true
        "#;
        let envs = parse_file(Path::new("envs.toml"), text).unwrap();
        assert_eq!(envs.len(), 2);
        assert_eq!(envs[0].env.role_arn.as_deref(), Some("arn:aws:iam::123456789012:role/DaemonPortal"));
        assert!(!envs[0].default && envs[1].default);
    }

    #[test]
    fn json_works_too() {
        let text =
            r#"{"environments": [{"name": "dev", "account_id": "234567890123", "region": "eu-west-1"}]}"#;
        assert_eq!(parse_file(Path::new("e.json"), text).unwrap()[0].env.region, "eu-west-1");
    }

    #[test]
    fn a_bad_entry_is_named_with_its_field() {
        let text = "[[environments]]\nname = \"prod\"\naccount_id = \"12\"\nregion = \"us-east-1\"\n";
        let e = parse_file(Path::new("e.toml"), text).unwrap_err();
        assert!(e.contains("environment 1 (prod)") && e.contains("account_id"), "{e}");
        let typo = "[[environments]]\nname = \"prod\"\naccount = \"123456789012\"\n";
        assert!(parse_file(Path::new("e.toml"), typo).unwrap_err().contains("account"));
        let twice = "[[environments]]\nname = \"a\"\naccount_id = \"123456789012\"\nregion = \"us-east-1\"\n\
                     [[environments]]\nname = \"a\"\naccount_id = \"123456789012\"\nregion = \"us-east-1\"\n";
        assert!(parse_file(Path::new("e.toml"), twice).unwrap_err().contains("twice"));
        assert!(parse_file(Path::new("e.toml"), "").unwrap_err().contains("names no environment"));
    }
}
