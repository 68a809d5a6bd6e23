//! A long ARN shown as its short id: the full ARN in `title` and a copy button. The button
//! works without wasm: one delegated click handler in the shell (`layout/copy.js`) copies
//! `data-copy`.

use leptos::prelude::*;

/// The part of an ARN a person reads: the last `/` segment (a daemon deployment's id, a task
/// definition's `family:revision`, a task's id), or for an ARN without `/` its resource part
/// (`arn:aws:iam::123456789012:root` → `root`). Anything else is returned as it is.
pub fn short_arn(arn: &str) -> &str {
    let arn = arn.trim();
    let resource = match arn.strip_prefix("arn:") {
        // arn:partition:service:region:account:resource
        Some(rest) => rest.splitn(5, ':').nth(4).unwrap_or(arn),
        None => arn,
    };
    match resource.trim_end_matches('/').rsplit_once('/') {
        Some((_, last)) if !last.is_empty() => last,
        _ if resource.is_empty() => arn,
        _ => resource.trim_end_matches('/'),
    }
}

/// `short_arn` in monospace with the full ARN as its tooltip, and a button copying the full
/// ARN; a dash when there is none.
#[component]
pub fn ShortArn(#[prop(into)] arn: String) -> impl IntoView {
    if arn.trim().is_empty() {
        return view! { <span class="short-arn">"—"</span> }.into_any();
    }
    let short = short_arn(&arn).to_string();
    view! {
        <span class="short-arn">
            <span class="mono arn-id" title=arn.clone()>{short}</span>
            <button type="button" class="copy" data-copy=arn aria-label="Copy ARN" title="Copy ARN">
                "Copy"
            </button>
        </span>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::short_arn;

    #[test]
    fn a_deployment_arn_shows_its_id() {
        assert_eq!(
            short_arn("arn:aws:ecs:us-east-1:123456789012:daemon-deployment/prod/cwagent/0f3c9e2b5a4d4e7f8a9b0c1d2e3f4a5b"),
            "0f3c9e2b5a4d4e7f8a9b0c1d2e3f4a5b"
        );
    }

    #[test]
    fn a_task_definition_arn_shows_family_and_revision() {
        assert_eq!(
            short_arn("arn:aws:ecs:us-east-1:123456789012:daemon-task-definition/cloudwatch-agent:12"),
            "cloudwatch-agent:12"
        );
    }

    #[test]
    fn other_arns_show_what_follows_the_last_slash_or_the_resource() {
        assert_eq!(short_arn("arn:aws:ecs:us-east-1:123456789012:daemon/prod/cwagent"), "cwagent");
        assert_eq!(short_arn("arn:aws:iam::123456789012:role/service-role/agent"), "agent");
        assert_eq!(short_arn("arn:aws:iam::123456789012:root"), "root");
        assert_eq!(short_arn("arn:aws:sns:us-east-1:123456789012:alerts"), "alerts");
        assert_eq!(short_arn("arn:aws:ecs:us-east-1:123456789012:cluster/default/"), "default");
    }

    #[test]
    fn anything_else_is_kept() {
        assert_eq!(short_arn(""), "");
        assert_eq!(short_arn("  "), "");
        assert_eq!(short_arn("cloudwatch-agent:3"), "cloudwatch-agent:3");
        assert_eq!(short_arn("arn:broken"), "arn:broken");
        assert_eq!(short_arn("a/b/c"), "c");
    }
}
