//! The History filter form: a GET form (reading is a GET), validated in the browser before it
//! is sent, with the same rules the server applies (`domain::history`).

use leptos::prelude::*;

use crate::components::{SelectField, TextField};
use crate::domain::{
    history::{HistoryQuery, ROLLOUT_STATUSES},
    FieldErrors,
};

/// An island: the filters are checked in the browser before the GET is sent.
#[island(lazy)]
pub fn HistoryFilters(
    query: HistoryQuery,
    /// Errors of the filters in the URL (from the server, or the same parse in the browser).
    errors: FieldErrors,
) -> impl IntoView {
    let environment = RwSignal::new(query.environment.clone());
    let cluster = RwSignal::new(query.cluster.clone());
    let daemon = RwSignal::new(query.daemon.clone());
    let team = RwSignal::new(query.team.clone());
    let person = RwSignal::new(query.person.clone());
    let status = RwSignal::new(query.status.trim().to_ascii_uppercase());
    let from = RwSignal::new(query.from.clone());
    let to = RwSignal::new(query.to.clone());
    let errors = RwSignal::new(errors);
    let err = move |f: &'static str| Signal::derive(move || errors.read().get(f).map(str::to_string));
    let statuses = std::iter::once((String::new(), "Any status".to_string()))
        .chain(ROLLOUT_STATUSES.iter().map(|s| (s.to_string(), s.replace('_', " "))))
        .collect::<Vec<_>>();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let q = HistoryQuery {
            environment: environment.get_untracked(),
            cluster: cluster.get_untracked(),
            daemon: daemon.get_untracked(),
            team: team.get_untracked(),
            person: person.get_untracked(),
            status: status.get_untracked(),
            from: from.get_untracked(),
            to: to.get_untracked(),
            ..Default::default()
        };
        match q.parse() {
            Ok(_) => errors.set(FieldErrors::new()),
            Err(e) => {
                ev.prevent_default();
                errors.set(e);
            }
        }
    };

    view! {
        <form method="get" action="/history" class="history-filters" on:submit=on_submit>
            <div class="row">
                <TextField id="f-environment" name="environment" label="Environment" value=environment
                    error=err("environment") help="Exact environment name." />
                <TextField id="f-cluster" name="cluster" label="Cluster" value=cluster error=err("cluster")
                    help="Exact cluster name." />
                <TextField id="f-daemon" name="daemon" label="Daemon" value=daemon error=err("daemon")
                    help="Exact daemon name." />
                <TextField id="f-team" name="team" label="Team" value=team error=err("team")
                    help="The owning team." />
                <TextField id="f-person" name="person" label="Person" value=person error=err("person")
                    help="Username of the requester or an approver." />
            </div>
            <div class="row">
                <SelectField id="f-status" name="status" label="Status" value=status
                    options=Signal::derive(move || statuses.clone()) error=err("status") />
                <TextField id="f-from" name="from" label="From" value=from error=err("from")
                    input_type="date" placeholder="YYYY-MM-DD" help="Started on or after this day (UTC)." />
                <TextField id="f-to" name="to" label="To" value=to error=err("to")
                    input_type="date" placeholder="YYYY-MM-DD" help="Started on or before this day (UTC)." />
            </div>
            <div class="form-actions">
                <a class="btn link" href="/history">"Clear filters"</a>
                <button type="submit" class="btn primary">"Apply filters"</button>
            </div>
        </form>
    }
}
