//! Comparing a family's definitions across environments: the revisions each environment has
//! (listed with its own credentials, all at once; one that fails is named and the others are
//! still offered) and two definitions side by side.

use std::time::Duration;

use crate::api::fleet::CompareView;
use crate::domain::environment::Environment;

use super::{Environments, EnvironmentsError};

/// How long one environment may take to list its revisions.
const LIST_TIMEOUT: Duration = Duration::from_secs(5);

/// `environment:revision` → its parts (environment names have no `:`).
pub fn split_side(side: &str) -> Option<(&str, u32)> {
    let (env, rev) = side.rsplit_once(':')?;
    Some((env, rev.parse().ok()?))
}

impl Environments {
    pub async fn compare(
        &self,
        family: &str,
        left: &str,
        right: &str,
    ) -> Result<CompareView, EnvironmentsError> {
        let envs: Vec<Environment> = self.list().await?.into_iter().map(|r| r.env).collect();
        let listed = futures::future::join_all(envs.iter().map(|env| self.revisions_of(env, family))).await;
        let mut options = Vec::new();
        let mut errors = Vec::new();
        for (i, result) in listed.into_iter().enumerate() {
            match result {
                Ok(revisions) => options.extend(revisions.iter().map(|r| format!("{}:{r}", envs[i].name))),
                Err(e) => errors.push(format!("{}: {e}", envs[i].name)),
            }
        }
        // Unless chosen: what runs in two places (the fleet's inventory), else the first two
        // options, so the page opens on a comparison.
        let (left, right) = if left.is_empty() || right.is_empty() {
            let running = self.running_sides(&envs, family).await;
            let mut picks = running.into_iter().chain(options.iter().rev().cloned());
            let l = if left.is_empty() { picks.next().unwrap_or_default() } else { left.to_string() };
            let r = if right.is_empty() {
                picks.find(|p| *p != l).unwrap_or_default()
            } else {
                right.to_string()
            };
            (l, r)
        } else {
            (left.to_string(), right.to_string())
        };
        Ok(CompareView {
            family: family.to_string(),
            left: self.side(&envs, family, &left, "left").await?,
            right: self.side(&envs, family, &right, "right").await?,
            options,
            errors,
        })
    }

    async fn revisions_of(&self, env: &Environment, family: &str) -> Result<Vec<u32>, String> {
        let gw = self.gateway(env).await;
        let listed = tokio::time::timeout(
            LIST_TIMEOUT,
            gw.list_task_definition_revisions(Some(family.to_string()), None, None, false),
        )
        .await;
        match listed {
            Err(_) => Err(format!("no answer within {} s", LIST_TIMEOUT.as_secs())),
            Ok(Err(e)) => Err(e.to_string()),
            Ok(Ok(rows)) => Ok(rows.into_iter().filter(|r| r.family == family).map(|r| r.revision).collect()),
        }
    }

    /// `environment:revision` of the family's daemons in the stored inventories, newest first.
    async fn running_sides(&self, envs: &[Environment], family: &str) -> Vec<String> {
        let Ok(stored) = self.inventories().await else { return Vec::new() };
        let mut out: Vec<String> = Vec::new();
        for env in envs {
            let Some(inv) = stored.get(&env.name) else { continue };
            for d in inv.daemons.iter() {
                for r in d.revisions.iter().filter(|r| r.family == family) {
                    let side = format!("{}:{}", env.name, r.revision);
                    if !out.contains(&side) {
                        out.push(side);
                    }
                }
            }
        }
        out
    }

    async fn side(
        &self,
        envs: &[Environment],
        family: &str,
        side: &str,
        field: &'static str,
    ) -> Result<Option<(String, String)>, EnvironmentsError> {
        if side.is_empty() {
            return Ok(None);
        }
        let bad =
            || EnvironmentsError::BadSide { field, message: format!("{side} is not environment:revision.") };
        let (name, revision) = split_side(side).ok_or_else(bad)?;
        let env = envs.iter().find(|e| e.name == name).ok_or_else(|| EnvironmentsError::BadSide {
            field,
            message: format!("There is no environment {name}."),
        })?;
        let gw = self.gateway(env).await;
        match gw.describe_task_definition(family, revision).await {
            Ok(td) => Ok(Some((side.to_string(), td.spec.to_json_pretty()))),
            Err(e) => Err(EnvironmentsError::BadSide { field, message: format!("{name}: {e}") }),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sides_split_at_the_last_colon() {
        assert_eq!(super::split_side("staging-eu-west-1:12"), Some(("staging-eu-west-1", 12)));
        assert_eq!(super::split_side("staging"), None);
        assert_eq!(super::split_side("staging:x"), None);
    }
}
