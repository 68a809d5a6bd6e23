//! The rollout table. Every value is text (Leptos escapes it); the diff is shown in a `<pre>`.
//! It fits a 1280 px window: the deployment ARN shows as its id (`ShortArn`), the reason is
//! clamped to two lines (the whole of it in `title`), and on narrower windows the columns
//! marked `col-optional` are hidden and the table scrolls in its own box (style/main.css).

use leptos::prelude::*;

use crate::api::history::RolloutView;
use crate::components::{
    time::{format_duration, format_epoch},
    ShortArn, StatusBadge,
};

/// `(date, time)` of an epoch-ms instant, UTC; dashes for 0 (not yet).
fn split_time(ms: i64) -> (String, String) {
    if ms <= 0 {
        return ("—".into(), "—".into());
    }
    let full = format_epoch(ms as f64 / 1000.0);
    let (date, time) = full.split_once(' ').unwrap_or((&full, ""));
    (date.to_string(), time.to_string())
}

/// The end time, with its date only when it differs from the start's.
fn end_label(started: i64, ended: i64) -> String {
    let (d0, _) = split_time(started);
    let (d1, t1) = split_time(ended);
    if ended <= 0 || d0 == d1 {
        t1
    } else {
        format!("{d1} {t1}")
    }
}

fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "—".into()
    } else {
        s.to_string()
    }
}

#[component]
pub fn RolloutTable(rows: Vec<RolloutView>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="data history" aria-label="Rollouts">
                <thead>
                    <tr>
                        <th>"When"</th>
                        <th>"Daemon"</th>
                        <th>"Requester"</th>
                        <th>"Revision"</th>
                        <th>"Status"</th>
                        <th class="col-optional">"ECS deployment"</th>
                        <th>"Duration"</th>
                        <th>"Actions"</th>
                    </tr>
                </thead>
                <tbody>{rows.into_iter().map(|r| view! { <RolloutRow r=r /> }).collect_view()}</tbody>
            </table>
        </div>
    }
}

/// One rollout in eight columns, none taller than three lines: the start under its date, the
/// kind under the daemon, the approvers under the requester (an out-of-band rollout has
/// neither), the end under the duration, the diff (a disclosure) with the actions.
#[component]
fn RolloutRow(r: RolloutView) -> impl IntoView {
    let prefix = r.environment_prefix.clone();
    let daemon_href = format!("{prefix}/daemons/{}/{}", r.cluster, r.daemon);
    let rollback = r
        .rollback_revision()
        .map(|n| format!("{prefix}/daemons/{}/{}/update?revision={n}&rollback=1", r.cluster, r.daemon));
    let duration =
        r.duration_ms().map(|ms| format_duration(ms as f64 / 1000.0)).unwrap_or_else(|| "—".into());
    let approvers = (!r.approvers.is_empty()).then(|| format!("approved by {}", r.approvers.join(", ")));
    let revision = format!("{} → {}", or_dash(&r.from_revision), or_dash(&r.to_revision));
    let diff = (!r.diff.is_empty()).then(|| r.diff.clone());
    let reason = (!r.reason.is_empty()).then(|| r.reason.clone());
    // A long status (ROLLBACK SUCCESSFUL) wraps in its badge: one line of reason under it, so
    // the cell stays within three lines; the whole reason is in the title.
    let reason_class = if r.status.len() > 12 { "reason clamp-1" } else { "reason clamp-2" };
    let requester = if r.out_of_band() {
        view! { <span class="badge warn oob">"Out of band"</span> }.into_any()
    } else {
        or_dash(&r.requester).into_any()
    };
    // One short word, as deploy, update and rollback are: "delete_daemon" took a line of its own
    // and made the cell four lines tall.
    let kind = match r.kind.as_str() {
        "delete_daemon" => "delete".to_string(),
        k => k.replace('_', " "),
    };
    let (date, start) = split_time(r.started_at);
    let end = (r.ended_at > 0).then(|| {
        let end = end_label(r.started_at, r.ended_at);
        format!("ended {}", end.trim_end_matches(" UTC"))
    });
    view! {
        <tr data-rollout-id=r.id.to_string()>
            <td class="nowrap">{date}<div class="help nowrap">{start}</div></td>
            <td class="daemon">
                <a href=daemon_href>{format!("{}/{}", r.cluster, r.daemon)}</a>
                <div class="help">
                    {kind}
                    {(!r.environment.is_empty()).then(|| view! { <span class="environment">{format!(" · {}", r.environment)}</span> })}
                </div>
            </td>
            <td>
                {requester}
                {approvers.map(|a| view! { <div class="help clamp-2" title=a.clone()>{a.clone()}</div> })}
            </td>
            <td class="mono revision">{revision}</td>
            <td>
                <StatusBadge status=r.status.clone() />
                {reason.map(|x| view! { <div class=reason_class title=x.clone()>{x.clone()}</div> })}
            </td>
            <td class="col-optional arn"><ShortArn arn=r.deployment_arn.clone() /></td>
            <td class="nowrap">{duration}{end.map(|e| view! { <div class="help">{e}</div> })}</td>
            <td class="actions">
                {diff.map(|d| view! {
                    <details class="advanced">
                        <summary>"Diff"</summary>
                        <pre class="diff">{d}</pre>
                    </details>
                })}
                {rollback.map(|h| view! {
                    <a class="btn small nowrap" href=h aria-label="Roll back to this revision" title="Roll back to this revision">
                        "Roll back"
                    </a>
                })}
            </td>
        </tr>
    }
}
