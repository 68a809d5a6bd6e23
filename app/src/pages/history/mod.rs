//! `/history` (rollout history, fleet-wide or per daemon) and `/audit` (the audit log,
//! admins only): GET filter forms, keyset pages, CSV/JSON export links.

mod audit;
mod filters;
mod list;
mod pager;
pub(crate) mod table;

pub use audit::AuditPage;
pub use list::HistoryPage;
