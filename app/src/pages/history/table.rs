//! The rollout table. Every value is text (Leptos escapes it); the diff is shown in a `<pre>`.

use leptos::prelude::*;

use crate::api::history::RolloutView;
use crate::components::{
    time::{format_duration, format_epoch},
    StatusBadge,
};

fn when(ms: i64) -> String {
    if ms > 0 {
        format_epoch(ms as f64 / 1000.0)
    } else {
        "—".into()
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
    view! {
        <tr data-rollout-id=r.id.to_string()>
            <td class="nowrap">{when(r.started_at)}<div class="help">{r.kind.clone()}</div></td>
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
            <td class="nowrap">{when(r.started_at)}</td>
            <td class="nowrap">{when(r.ended_at)}</td>
            <td class="nowrap">{duration}</td>
            <td>{rollback.map(|h| view! { <a class="btn" href=h>"Roll back to this revision"</a> })}</td>
        </tr>
    }
}
