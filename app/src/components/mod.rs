//! Reusable console widgets: form fields, alerts, status badges, progress bars.

mod alert;
mod badge;
mod field;
mod progress;

pub use alert::{Alert, ErrorAlert};
pub use badge::{status_tone, StatusBadge};
pub use field::{CheckboxField, SelectField, TextField};
pub use progress::ProgressBar;
