//! Reusable console widgets: form fields, alerts, status badges, progress bars, short ARNs.

mod alert;
mod badge;
pub mod events;
mod export_form;
mod field;
pub mod field_messages;
mod follow;
pub mod poll;
mod post_form;
mod progress;
mod reloading;
pub mod resource;
mod short_arn;
pub mod time;

pub use alert::{Alert, ErrorAlert, LoadError};
pub use badge::{status_tone, StatusBadge};
pub use export_form::ExportForm;
pub use field::{CheckboxField, SelectField, TextField};
pub use field_messages::{FieldMessages, TrackedFieldMessages};
pub use follow::Follow;
pub use post_form::{FormAction, PostForm};
pub use progress::ProgressBar;
pub use reloading::{refresh_on_ok, reloading};
pub use short_arn::{short_arn, ShortArn};

/// `4 vCPU, 16 GB` from CPU units and MiB.
pub fn sizes_label(cpu_units: u32, mib: u32) -> String {
    use crate::domain::sizes::{format_gb, format_vcpu};
    format!("{} vCPU, {} GB", format_vcpu(cpu_units), format_gb(mib))
}
