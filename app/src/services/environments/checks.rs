//! Whether an environment answers: one `ListClusters` with its credentials, and what went wrong
//! said with the environment's name first ("staging-eu: AccessDenied assuming arn:…"), so a
//! failure in one account is never mistaken for the portal's and never holds up the others.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use aws_sdk_ecs::error::{DisplayErrorContext, SdkError};

use crate::api::environments::EnvironmentCheck;
use crate::domain::environment::Environment;
use crate::services::{clock::now_ms, error::EcsFailure, gateway::Ecs};

/// How long one environment may take to answer a check.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// Each environment's last check on this replica (portal clock).
#[derive(Default)]
pub struct LastChecks(Mutex<HashMap<String, EnvironmentCheck>>);

impl LastChecks {
    pub fn get(&self, name: &str) -> Option<EnvironmentCheck> {
        self.0.lock().expect("checks lock").get(name).cloned()
    }

    pub fn put(&self, name: &str, check: EnvironmentCheck) {
        self.0.lock().expect("checks lock").insert(name.to_string(), check);
    }

    pub fn forget(&self, name: &str) {
        self.0.lock().expect("checks lock").remove(name);
    }
}

/// Asks the environment for its clusters.
pub async fn check(env: &Environment, ecs: &Ecs) -> EnvironmentCheck {
    let checked_at = now_ms();
    let answer =
        tokio::time::timeout(CHECK_TIMEOUT, ecs.client.list_clusters().max_results(100).send()).await;
    let failed = |code: &str, what: String| EnvironmentCheck {
        ok: false,
        code: Some(code.to_string()),
        message: format!("{}: {what}", env.name),
        clusters: None,
        checked_at,
    };
    match answer {
        Err(_) => failed("Timeout", format!("no answer within {} s", CHECK_TIMEOUT.as_secs())),
        Ok(Ok(out)) => {
            let clusters = out.cluster_arns().len() as u32;
            EnvironmentCheck {
                ok: true,
                code: None,
                message: format!(
                    "{}: answers; {clusters} cluster{}",
                    env.name,
                    if clusters == 1 { "" } else { "s" }
                ),
                clusters: Some(clusters),
                checked_at,
            }
        }
        Ok(Err(e)) => {
            let (code, what) = attribute(env, e);
            failed(&code, what)
        }
    }
}

/// The failure's code and what to say after the environment's name.
fn attribute<E, R>(env: &Environment, e: SdkError<E, R>) -> (String, String)
where
    E: aws_sdk_ecs::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    // Credentials are resolved before the request is sent, so a refused AssumeRole surfaces
    // as a failure to send, with STS's answer somewhere in the error's sources.
    if !matches!(e, SdkError::ServiceError(_)) {
        let chain = DisplayErrorContext(&e).to_string();
        // aws-config logs STS's whole answer itself; the causes' one-line texts say enough here.
        let causes = causes(&e);
        if let Some(role) = &env.role_arn {
            if chain.contains("credentials") {
                let code = sts_code(&chain).unwrap_or("CredentialsError");
                tracing::warn!(environment = %env.name, %role, %code, error = %causes, "assuming the environment's role failed");
                return (code.to_string(), format!("{code} assuming {role}"));
            }
        }
        if chain.contains("credentials") {
            tracing::warn!(environment = %env.name, error = %causes, "the portal's credentials failed");
            return ("CredentialsError".into(), "the portal's own credentials could not be loaded".into());
        }
    }
    let failure = EcsFailure::from(e);
    let what = format!("{} {}", failure.code, failure.message);
    (failure.code, what)
}

/// The error's one-line texts, outermost first.
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut next = e.source();
    while let Some(cause) = next {
        parts.push(cause.to_string());
        next = cause.source();
    }
    parts.join(": ")
}

/// STS's error code in an error chain's text, where it is one STS answers with.
pub(crate) fn sts_code(chain: &str) -> Option<&'static str> {
    [
        "AccessDenied",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "RegionDisabledException",
        "ValidationError",
        "MalformedPolicyDocument",
        "PackedPolicyTooLarge",
        "SignatureDoesNotMatch",
    ]
    .into_iter()
    .find(|code| chain.contains(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stss_code_is_found_in_the_chain() {
        let chain = "dispatch failure: other: an error occurred while loading credentials: \
                     service error: unhandled error (AccessDenied)";
        assert_eq!(sts_code(chain), Some("AccessDenied"));
        assert_eq!(sts_code("io error: connection refused"), None);
    }
}
