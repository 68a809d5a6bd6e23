//! The fleet view made from the environments' inventories: a pure function of the snapshots,
//! so the table's rules (rows, grouping, "behind", filters) are tested without ECS.

use std::collections::BTreeMap;

use crate::api::fleet::{
    CellDaemon, FleetColumn, FleetQuery, FleetRow, FleetView, InventoryDaemon, FLEET_PAGE_SIZE,
};

/// One environment's column and its daemons.
pub struct Snapshot {
    pub column: FleetColumn,
    /// Shared with the replica's parsed-snapshot cache.
    pub daemons: std::sync::Arc<Vec<InventoryDaemon>>,
}

/// The image's tag: what follows the last `:` after the last `/` (`…/agent:1.3` → `1.3`), the
/// digest for `…@sha256:…` (shortened), `latest` when there is neither.
pub fn image_tag(image: &str) -> String {
    if let Some((_, digest)) = image.split_once('@') {
        return digest.chars().take(19).collect();
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) => tag.to_string(),
        None => "latest".to_string(),
    }
}

pub fn build(mut snapshots: Vec<Snapshot>, query: &FleetQuery, now: i64) -> FleetView {
    let by_region = query.group == "region";
    let group_of = |c: &FleetColumn| {
        if by_region {
            c.region.clone()
        } else {
            c.account_id.clone().unwrap_or_else(|| "default credentials".into())
        }
    };
    // Stable within a group: the configured order.
    snapshots.sort_by_key(|s| group_of(&s.column));
    let mut groups: Vec<(String, usize)> = Vec::new();
    for s in &snapshots {
        let g = group_of(&s.column);
        match groups.last_mut() {
            Some((last, n)) if *last == g => *n += 1,
            _ => groups.push((g, 1)),
        }
    }

    // family → column → daemons running it.
    let mut families: BTreeMap<String, Vec<Vec<CellDaemon>>> = BTreeMap::new();
    for (col, s) in snapshots.iter().enumerate() {
        for d in s.daemons.iter() {
            let mut by_family: BTreeMap<&str, Vec<&crate::api::fleet::InventoryRevision>> = BTreeMap::new();
            for r in &d.revisions {
                by_family.entry(&r.family).or_default().push(r);
            }
            for (family, mut revs) in by_family {
                revs.sort_by_key(|r| std::cmp::Reverse(r.revision));
                let mut tags: Vec<String> =
                    revs.iter().flat_map(|r| r.images.iter().map(|i| image_tag(i))).collect();
                tags.dedup();
                let cells =
                    families.entry(family.to_string()).or_insert_with(|| vec![Vec::new(); snapshots.len()]);
                cells[col].push(CellDaemon {
                    cluster: d.cluster.clone(),
                    name: d.name.clone(),
                    revisions: revs.iter().map(|r| r.revision).collect(),
                    tags,
                    running: d.running,
                    without_daemon: d.without_daemon,
                    deployment: d.deployment.clone(),
                    behind: None,
                });
            }
        }
    }
    let total = families.len();
    let q = query.q.trim().to_lowercase();
    let mut in_progress = false;
    let rows: Vec<FleetRow> = families
        .into_iter()
        .filter(|(family, _)| q.is_empty() || family.to_lowercase().contains(&q))
        .map(|(family, mut cells)| {
            let newest = cells.iter().flatten().flat_map(|d| d.revisions.first().copied()).max().unwrap_or(0);
            for d in cells.iter_mut().flatten() {
                if d.revisions.first().is_some_and(|&r| r < newest) {
                    d.behind = Some(newest);
                }
            }
            FleetRow { family, cells }
        })
        .filter(|row| query.attention != "on" || row.cells.iter().flatten().any(needs_attention))
        .inspect(|row| in_progress |= row.cells.iter().flatten().any(deploying))
        .collect();
    let matching = rows.len();
    let pages = matching.div_ceil(FLEET_PAGE_SIZE).max(1);
    let page = query.page.parse::<usize>().unwrap_or(1).clamp(1, pages);
    let rows = rows.into_iter().skip((page - 1) * FLEET_PAGE_SIZE).take(FLEET_PAGE_SIZE).collect();
    FleetView {
        groups,
        columns: snapshots.into_iter().map(|s| s.column).collect(),
        rows,
        families: total,
        matching,
        page,
        pages,
        now,
        in_progress,
    }
}

fn deploying(d: &CellDaemon) -> bool {
    matches!(
        d.deployment.as_deref(),
        Some("PENDING" | "IN_PROGRESS" | "ROLLBACK_IN_PROGRESS" | "STOP_REQUESTED")
    )
}

/// Worth a look: instances without the daemon, a deployment under way or gone wrong, or an
/// environment behind the others.
pub fn needs_attention(d: &CellDaemon) -> bool {
    d.without_daemon > 0
        || d.behind.is_some()
        || deploying(d)
        || matches!(
            d.deployment.as_deref(),
            Some("FAILED" | "STOPPED" | "ROLLBACK_SUCCESSFUL" | "ROLLBACK_FAILED")
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::fleet::InventoryRevision;

    fn column(name: &str, account: &str, region: &str) -> FleetColumn {
        FleetColumn {
            environment: name.into(),
            account_id: Some(account.into()),
            region: region.into(),
            refreshed_at: Some(1),
            error: None,
        }
    }

    fn daemon(family: &str, revision: u32, image: &str, without: i32, deployment: &str) -> InventoryDaemon {
        InventoryDaemon {
            cluster: "prod".into(),
            name: format!("{family}-daemon"),
            status: "ACTIVE".into(),
            revisions: vec![InventoryRevision {
                family: family.into(),
                revision,
                images: vec![image.into()],
            }],
            running: 3,
            without_daemon: without,
            deployment: Some(deployment.into()),
        }
    }

    fn snapshots() -> Vec<Snapshot> {
        vec![
            Snapshot {
                column: column("prod-us", "111111111111", "us-east-1"),
                daemons: vec![daemon("cw-agent", 3, "amazon/cloudwatch-agent:1.3", 0, "SUCCESSFUL")].into(),
            },
            Snapshot {
                column: column("dev-eu", "222222222222", "eu-west-1"),
                daemons: vec![
                    daemon("cw-agent", 5, "amazon/cloudwatch-agent:1.5", 0, "SUCCESSFUL"),
                    daemon(
                        "fluent-bit",
                        1,
                        "fluent/fluent-bit@sha256:0123456789abcdef0123",
                        1,
                        "IN_PROGRESS",
                    ),
                ]
                .into(),
            },
            Snapshot { column: column("prod-eu", "111111111111", "eu-west-1"), daemons: Default::default() },
        ]
    }

    #[test]
    fn rows_are_families_and_columns_environments_grouped_by_account() {
        let v = build(snapshots(), &FleetQuery::default(), 10);
        let cols: Vec<&str> = v.columns.iter().map(|c| c.environment.as_str()).collect();
        assert_eq!(cols, ["prod-us", "prod-eu", "dev-eu"]);
        assert_eq!(v.groups, vec![("111111111111".to_string(), 2), ("222222222222".to_string(), 1)]);
        let families: Vec<&str> = v.rows.iter().map(|r| r.family.as_str()).collect();
        assert_eq!(families, ["cw-agent", "fluent-bit"]);
        let cw = &v.rows[0];
        assert_eq!(cw.cells[0][0].revisions, vec![3]);
        assert_eq!(cw.cells[0][0].tags, vec!["1.3"]);
        assert_eq!(cw.cells[0][0].behind, Some(5), "prod-us runs an older revision than dev-eu");
        assert!(cw.cells[1].is_empty(), "not deployed in prod-eu");
        assert_eq!(cw.cells[2][0].behind, None);
        assert!(v.in_progress, "fluent-bit is deploying");
    }

    #[test]
    fn grouping_by_region_and_filters() {
        let q = FleetQuery { group: "region".into(), ..FleetQuery::default() };
        let v = build(snapshots(), &q, 10);
        assert_eq!(v.groups, vec![("eu-west-1".to_string(), 2), ("us-east-1".to_string(), 1)]);
        let q = FleetQuery { q: "FLUENT".into(), ..FleetQuery::default() };
        let v = build(snapshots(), &q, 10);
        assert_eq!(v.rows.len(), 1);
        assert_eq!(v.families, 2);
        let q = FleetQuery { attention: "on".into(), ..FleetQuery::default() };
        assert_eq!(build(snapshots(), &q, 10).rows.len(), 2, "cw-agent is behind, fluent-bit deploying");
    }

    #[test]
    fn pages_of_families() {
        let many: Vec<InventoryDaemon> =
            (0..60).map(|i| daemon(&format!("f{i:02}"), 1, "a:1", 0, "SUCCESSFUL")).collect();
        let snaps = || {
            vec![Snapshot { column: column("e", "111111111111", "us-east-1"), daemons: many.clone().into() }]
        };
        let v = build(snaps(), &FleetQuery::default(), 0);
        assert_eq!((v.rows.len(), v.matching, v.page, v.pages), (FLEET_PAGE_SIZE, 60, 1, 3));
        let v = build(snaps(), &FleetQuery { page: "3".into(), ..FleetQuery::default() }, 0);
        assert_eq!(v.rows.len(), 10);
        assert_eq!(v.rows[0].family, "f50");
        let v = build(snaps(), &FleetQuery { page: "99".into(), ..FleetQuery::default() }, 0);
        assert_eq!(v.page, 3, "past the end: the last page");
        let q = FleetQuery { q: "a b".into(), group: "region".into(), ..FleetQuery::default() };
        assert_eq!(q.href_for_page(2), "/fleet?q=a%20b&group=region&page=2");
        assert_eq!(FleetQuery::default().href_for_page(1), "/fleet");
    }

    #[test]
    fn tags_come_from_images() {
        assert_eq!(image_tag("public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300032.2"), "1.300032.2");
        assert_eq!(image_tag("localhost:5000/agent"), "latest");
        assert_eq!(image_tag("agent@sha256:0123456789abcdef0123"), "sha256:0123456789ab");
    }
}
