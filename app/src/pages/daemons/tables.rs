use leptos::prelude::*;

use crate::api::clusters::InstanceRow;
use crate::components::StatusBadge;

/// The **Managed instances** table of a daemon: every instance, the daemon task's status and
/// the revision it runs.
#[component]
pub fn InstancesTable(instances: Vec<InstanceRow>, daemon: String) -> impl IntoView {
    if instances.is_empty() {
        return view! { <p class="empty-state">"No instances in these capacity providers."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
        <table class="data" aria-label="Managed instances">
            <thead>
                <tr>
                    <th>"Instance"</th>
                    <th>"Capacity provider"</th>
                    <th>"Instance status"</th>
                    <th>"Daemon task status"</th>
                    <th>"Revision"</th>
                </tr>
            </thead>
            <tbody>
                {instances
                    .into_iter()
                    .map(|i| {
                        let task = i.daemon_tasks.iter().find(|t| t.group == daemon).cloned();
                        view! {
                            <tr data-instance=i.id.clone()>
                                <td class="mono">{i.id.clone()}</td>
                                <td>{i.capacity_provider.clone()}</td>
                                <td><StatusBadge status=i.status.clone() /></td>
                                <td>
                                    {match &task {
                                        Some(t) => view! { <StatusBadge status=t.status.clone() /> }.into_any(),
                                        None => view! { <span class="badge muted">"No daemon task"</span> }.into_any(),
                                    }}
                                </td>
                                <td class="mono">{task.map(|t| t.definition).unwrap_or_default()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        </div>
    }
    .into_any()
}
