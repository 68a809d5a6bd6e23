//! Delivery windows (administration) and the month calendar of windows and promotions.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::PortalError;
use crate::domain::delivery_window::{DeliveryWindow, DeliveryWindowForm};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WindowRow {
    pub window: DeliveryWindow,
    /// When it next opens and closes (epoch ms), if within a year.
    pub next: Option<(i64, i64)>,
}

#[server(prefix = "/api", endpoint = "admin-list-windows")]
pub async fn admin_list_windows() -> Result<Vec<WindowRow>, PortalError> {
    let _user = crate::api::admin::require_admin()?;
    let views = crate::services::services()?.policies.list_windows().await?;
    Ok(views.into_iter().map(|v| WindowRow { window: v.window, next: v.next }).collect())
}

/// Adds a delivery window; its id.
#[server(prefix = "/api", endpoint = "admin-save-window")]
pub async fn admin_save_window(form: DeliveryWindowForm) -> Result<String, PortalError> {
    let user = crate::api::admin::require_admin()?;
    let window = form.parse()?;
    let id = crate::services::services()?.policies.save_window(&window, &user.username).await?;
    crate::auth::audit(&user, "window.save", &id, serde_json::json!({"window": window.describe()})).await;
    leptos_axum::redirect("/admin/windows");
    Ok(id)
}

#[server(prefix = "/api", endpoint = "admin-delete-window")]
pub async fn admin_delete_window(id: String) -> Result<(), PortalError> {
    let user = crate::api::admin::require_admin()?;
    if !crate::services::services()?.policies.delete_window(id.trim()).await? {
        return Err(PortalError::NotFound("That delivery window no longer exists.".into()));
    }
    crate::auth::audit(&user, "window.delete", &id, serde_json::json!({})).await;
    leptos_axum::redirect("/admin/windows");
    Ok(())
}

/// One thing on a calendar day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarEntry {
    /// `allow`, `deny`, `freeze`, `promotion` (started that day) or `scheduled` (a stage waits
    /// for a window opening that day).
    pub kind: String,
    /// "09:00–17:00 UTC".
    pub time: String,
    pub label: String,
    pub href: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub day: u32,
    pub entries: Vec<CalendarEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// "December 2026".
    pub title: String,
    pub previous: String,
    pub next: String,
    /// Blank cells before the 1st (the week starts on Monday).
    pub leading_blanks: u32,
    pub days: Vec<CalendarDay>,
}

/// The calendar of `month` (`YYYY-MM`, "" for this month), in UTC.
#[server(prefix = "/api", endpoint = "get-calendar")]
pub async fn get_calendar(#[server(default)] month: String) -> Result<CalendarMonth, PortalError> {
    let _user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    Ok(s.promotions.calendar(month.trim()).await?)
}
