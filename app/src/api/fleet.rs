//! The fleet view (`/fleet`): which revision of each daemon task definition family runs in
//! which environment, from each environment's cached inventory.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PortalError;

/// One daemon as an environment's inventory holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InventoryDaemon {
    pub cluster: String,
    pub name: String,
    pub status: String,
    /// Its current revisions (more than one while a deployment replaces one with another).
    pub revisions: Vec<InventoryRevision>,
    pub running: i32,
    pub without_daemon: i32,
    /// The status of its latest deployment (`IN_PROGRESS`, `SUCCESSFUL`, `ROLLBACK_SUCCESSFUL`…).
    pub deployment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InventoryRevision {
    pub family: String,
    pub revision: u32,
    /// The containers' images, as registered.
    pub images: Vec<String>,
}

/// The page's query: `?q=cloudwatch&group=region&attention=on`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FleetQuery {
    /// Part of a family name.
    #[serde(default)]
    pub q: String,
    /// `account` (default) or `region`: how columns are grouped.
    #[serde(default)]
    pub group: String,
    /// `on`: only families with something to look at (instances without the daemon, a
    /// deployment in progress or failed, an environment behind the others).
    #[serde(default)]
    pub attention: String,
    /// 1-based page of [`FLEET_PAGE_SIZE`] families ("" or anything else: the first).
    #[serde(default)]
    pub page: String,
}

/// Families per page: 25 rows × 50 environments is about half a megabyte of HTML, rendered in
/// tens of milliseconds (`bench/fleet/RESULTS.md`).
pub const FLEET_PAGE_SIZE: usize = 25;

impl FleetQuery {
    /// This query's URL on another page.
    pub fn href_for_page(&self, page: usize) -> String {
        let page = if page > 1 { page.to_string() } else { String::new() };
        let query = crate::domain::history::query_string(&[
            ("q", &self.q),
            ("group", &self.group),
            ("attention", &self.attention),
            ("page", &page),
        ]);
        if query.is_empty() {
            "/fleet".to_string()
        } else {
            format!("/fleet?{query}")
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FleetView {
    /// Column groups, left to right: the account or region, and how many columns it spans.
    pub groups: Vec<(String, usize)>,
    pub columns: Vec<FleetColumn>,
    pub rows: Vec<FleetRow>,
    /// Families before filtering.
    pub families: usize,
    /// Families the filters let through (all pages).
    pub matching: usize,
    /// This page (1-based) and how many there are.
    pub page: usize,
    pub pages: usize,
    /// Portal clock when the page was made (the inventories' ages are against it).
    pub now: i64,
    /// Some deployment is in progress somewhere: the page refreshes itself.
    pub in_progress: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FleetColumn {
    pub environment: String,
    pub account_id: Option<String>,
    pub region: String,
    /// When its inventory was last read (portal clock); `None`: never yet.
    pub refreshed_at: Option<i64>,
    /// Why the last refresh failed, named with the environment.
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FleetRow {
    pub family: String,
    /// One per column; empty where the family runs in no daemon.
    pub cells: Vec<Vec<CellDaemon>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellDaemon {
    pub cluster: String,
    pub name: String,
    /// This family's revisions the daemon runs, newest first.
    pub revisions: Vec<u32>,
    /// Image tags of those revisions (`1.300032.2`, `latest`, `sha256:ab12…`).
    pub tags: Vec<String>,
    pub running: i32,
    pub without_daemon: i32,
    pub deployment: Option<String>,
    /// The newest revision of the family running anywhere, when this daemon runs an older one.
    pub behind: Option<u32>,
}

#[server(prefix = "/api", endpoint = "get-fleet")]
pub async fn get_fleet(#[server(default)] query: FleetQuery) -> Result<FleetView, PortalError> {
    crate::auth::require_user()?;
    Ok(crate::services::services()?.environments.fleet(&query).await?)
}

/// Reads one environment's inventory from ECS now (any signed-in user: it only reads).
#[server(prefix = "/api", endpoint = "refresh-fleet-environment")]
pub async fn refresh_fleet_environment(name: String) -> Result<(), PortalError> {
    crate::auth::require_user()?;
    let s = crate::services::services()?;
    let row = s.environments.get(&name).await?;
    s.environments.refresh_inventory(&row.env).await?;
    leptos_axum::redirect("/fleet");
    Ok(())
}

/// The compare page's query: a family, and two `environment:revision` sides.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareQuery {
    #[serde(default)]
    pub family: String,
    #[serde(default)]
    pub left: String,
    #[serde(default)]
    pub right: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareView {
    pub family: String,
    /// Every `environment:revision` of the family (active revisions), in environment order.
    pub options: Vec<String>,
    /// Environments whose revisions could not be listed, each named.
    pub errors: Vec<String>,
    /// The two sides shown: `environment:revision` and the definition as JSON.
    pub left: Option<(String, String)>,
    pub right: Option<(String, String)>,
}

/// A family's definitions in two environments, side by side (any signed-in user: it reads).
#[server(prefix = "/api", endpoint = "compare-across-environments")]
pub async fn compare_across_environments(
    #[server(default)] query: CompareQuery,
) -> Result<CompareView, PortalError> {
    use crate::domain::ForField;
    crate::auth::require_user()?;
    let family = crate::domain::names::ResourceName::parse("family", &query.family).for_field("family")?;
    let s = crate::services::services()?;
    Ok(s.environments.compare(family.as_str(), &query.left, &query.right).await?)
}
