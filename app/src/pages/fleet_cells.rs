//! The fleet table's rows as one HTML string. A page holds up to 25 families × 50 environments;
//! built as `view!`s, rendering those cells took most of the page's time (p95 66 ms against a
//! 30 ms budget, `bench/fleet/RESULTS.md`), written directly they cost a few milliseconds. Every
//! text and attribute goes through [`esc`].

use std::fmt::Write;

use crate::api::fleet::{CellDaemon, FleetRow};
use crate::components::status_tone;

/// HTML-escapes text for element content and double-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `<tr>`s of the table body; `environments` names the columns, left to right (each cell
/// links to its daemons' pages in its environment).
pub fn rows_html(rows: &[FleetRow], environments: &[String]) -> String {
    let mut out = String::with_capacity(rows.len() * 4096);
    for row in rows {
        let f = esc(&row.family);
        let _ = write!(
            out,
            "<tr data-family=\"{f}\"><th scope=\"row\"><a href=\"/task-definitions?filter={f}\">{f}</a>\
             <div class=\"help\"><a href=\"/fleet/compare?family={f}\">Compare across environments</a></div></th>"
        );
        for (i, cell) in row.cells.iter().enumerate() {
            let env = environments.get(i).map(|e| esc(e)).unwrap_or_default();
            cell_html(&mut out, &env, cell);
        }
        out.push_str("</tr>");
    }
    out
}

fn cell_html(out: &mut String, env: &str, cell: &[CellDaemon]) {
    if cell.is_empty() {
        out.push_str(
            "<td class=\"fleet-cell empty\"><span class=\"visually-hidden\">Not deployed</span>—</td>",
        );
        return;
    }
    out.push_str("<td class=\"fleet-cell\">");
    for d in cell {
        let name = esc(&format!("{}/{}", d.cluster, d.name));
        let revisions = d.revisions.iter().map(|r| format!(":{r}")).collect::<Vec<_>>().join(" + ");
        // Three lines, like every table cell of the console: the daemon; its revision, image
        // tag and whether it is behind; its instances and latest deployment.
        let _ = write!(
            out,
            "<div class=\"fleet-daemon\" data-daemon=\"{name}\"><div><a href=\"/e/{env}/daemons/{name}\">{name}</a></div>\
             <div><strong class=\"revision\">{revisions}</strong> <span class=\"mono tag\" title=\"Image tag\">{}</span>",
            esc(&d.tags.join(", ")),
        );
        if let Some(n) = d.behind {
            let _ = write!(
                out,
                " <span class=\"badge warn drift\" title=\"Revision {n} runs in another environment\">Behind :{n}</span>"
            );
        }
        let _ = write!(out, "</div><div class=\"counts\">{} running", d.running);
        if d.without_daemon > 0 {
            let _ = write!(out, ", <span class=\"badge warn\">{} without</span>", d.without_daemon);
        }
        if let Some(s) = &d.deployment {
            let _ = write!(
                out,
                " <span class=\"badge {}\" title=\"Latest deployment: {}\">{}</span>",
                status_tone(s),
                esc(s),
                esc(&deployment_label(s))
            );
        }
        out.push_str("</div></div>");
    }
    out.push_str("</td>");
}

/// A deployment status in few words, so a cell keeps to three lines (the badge's title has
/// ECS's own name).
fn deployment_label(status: &str) -> String {
    match status {
        "ROLLBACK_SUCCESSFUL" => "rolled back".into(),
        "ROLLBACK_IN_PROGRESS" => "rolling back".into(),
        "STOP_REQUESTED" => "stopping".into(),
        other => other.replace('_', " ").to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daemon(name: &str) -> CellDaemon {
        CellDaemon {
            cluster: "prod".into(),
            name: name.into(),
            revisions: vec![3, 2],
            tags: vec!["1.3".into(), "1.2".into()],
            running: 4,
            without_daemon: 1,
            deployment: Some("IN_PROGRESS".into()),
            behind: Some(5),
        }
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(esc(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        let envs = ["<i>".to_string()];
        let html =
            rows_html(&[FleetRow { family: "f\"><script>".into(), cells: vec![vec![daemon("<b>")]] }], &envs);
        assert!(!html.contains("<script>") && !html.contains("<b>") && !html.contains("<i>"), "{html}");
    }

    #[test]
    fn a_cell_says_revision_tag_instances_deployment_and_drift() {
        let envs = ["staging".to_string(), "prod".to_string()];
        let html =
            rows_html(&[FleetRow { family: "cw".into(), cells: vec![vec![daemon("cw")], vec![]] }], &envs);
        for part in [
            "data-family=\"cw\"",
            "data-daemon=\"prod/cw\"",
            "href=\"/e/staging/daemons/prod/cw\"",
            ":3 + :2",
            "1.3, 1.2",
            "4 running",
            "1 without",
            "<span class=\"badge info\" title=\"Latest deployment: IN_PROGRESS\">in progress</span>",
            "Behind :5",
            "fleet-cell empty",
        ] {
            assert!(html.contains(part), "{part} in {html}");
        }
    }
}
