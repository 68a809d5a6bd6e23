//! The Export control: a plain GET form to `/iac/export` (works without wasm, adds no island)
//! with the Format select. The answer is the text itself, to read and copy in the browser, or
//! a file when "Download as a file" is ticked.

use leptos::prelude::*;

use crate::domain::iac::ExportFormat;

/// `id`: the form's id, unique on the page (checkboxes elsewhere join it with `form=id`, as
/// the Daemons page's row checkboxes do). `fields`: the hidden query values naming what to
/// export (`family` + `revision`, or `cluster` + `daemon`), `environment` included when set.
#[component]
pub fn ExportForm(id: String, environment: String, fields: Vec<(&'static str, String)>) -> impl IntoView {
    let select_id = format!("{id}-format");
    let download_id = format!("{id}-download");
    let help_id = format!("{id}-help");
    let described_by = help_id.clone();
    let download_for = download_id.clone();
    view! {
        <form method="get" action="/iac/export" id=id class="inline-form export-form" aria-describedby=described_by>
            {(!environment.is_empty()).then(|| view! { <input type="hidden" name="environment" value=environment /> })}
            {fields
                .into_iter()
                .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
                .collect_view()}
            <label for=select_id.clone()>"Format"</label>
            <select id=select_id name="format">
                {ExportFormat::ALL
                    .into_iter()
                    .map(|f| view! { <option value=f.as_str()>{f.label()}</option> })
                    .collect_view()}
            </select>
            <label class="checkbox" for=download_for>
                <input type="checkbox" id=download_id name="download" value="1" />
                "Download as a file"
            </label>
            <button type="submit" class="btn">"Export"</button>
            <span id=help_id class="help">
                "As infrastructure as code: CloudFormation, Terraform or the AWS CLI's input."
            </span>
        </form>
    }
}
