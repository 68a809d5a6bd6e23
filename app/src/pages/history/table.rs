//! The rollout table. Every value is text (Leptos escapes it); the diff is shown in a `<pre>`.

use leptos::prelude::*;

use crate::api::history::RolloutView;
use crate::components::{
    time::{format_duration, format_epoch},
    StatusBadge,
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
        <table class="data history" aria-label="Rollouts">
            <thead>
                <tr>
                    <th>"When"</th>
                    <th>"Daemon"</th>
                    <th>"Requester"</th>
                    <th>"Approvers"</th>
                    <th>"Revision"</th>
                    <th>"Status"</th>
                    <th>"ECS deployment"</th>
                    <th>"Start"</th>
                    <th>"End"</th>
                    <th>"Duration"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>{rows.into_iter().map(|r| view! { <RolloutRow r=r /> }).collect_view()}</tbody>
        </table>
    }
}

#[component]
fn RolloutRow(r: RolloutView) -> impl IntoView {
    let daemon_href = format!("/daemons/{}/{}", r.cluster, r.daemon);
    let rollback = r
        .rollback_revision()
        .map(|n| format!("/daemons/{}/{}/update?revision={n}&rollback=1", r.cluster, r.daemon));
    let duration =
        r.duration_ms().map(|ms| format_duration(ms as f64 / 1000.0)).unwrap_or_else(|| "—".into());
    let approvers = if r.approvers.is_empty() { "—".to_string() } else { r.approvers.join(", ") };
    let revision = format!("{} → {}", or_dash(&r.from_revision), or_dash(&r.to_revision));
    let diff = (!r.diff.is_empty()).then(|| r.diff.clone());
    let reason = (!r.reason.is_empty()).then(|| r.reason.clone());
    let out_of_band = r.out_of_band();
    let (date, start) = split_time(r.started_at);
    let end = end_label(r.started_at, r.ended_at);
    view! {
        <tr data-rollout-id=r.id.to_string()>
            <td class="nowrap">{date}<div class="help">{r.kind.clone()}</div></td>
            <td><a href=daemon_href>{format!("{}/{}", r.cluster, r.daemon)}</a></td>
            <td>{or_dash(&r.requester)}</td>
            <td>{approvers}</td>
            <td class="mono">
                {revision}
                {diff.map(|d| view! {
                    <details class="advanced">
                        <summary>"Diff"</summary>
                        <pre class="diff">{d}</pre>
                    </details>
                })}
            </td>
            <td>
                <StatusBadge status=r.status.clone() />
                {out_of_band.then(|| view! { <span class="badge warn oob">"Out of band"</span> })}
                {reason.map(|x| view! { <div class="reason">{x}</div> })}
            </td>
            <td class="mono arn">{or_dash(&r.deployment_arn)}</td>
            <td class="nowrap">{start}</td>
            <td class="nowrap">{end}</td>
            <td class="nowrap">{duration}</td>
            <td>{rollback.map(|h| view! { <a class="btn" href=h>"Roll back to this revision"</a> })}</td>
        </tr>
    }
}
