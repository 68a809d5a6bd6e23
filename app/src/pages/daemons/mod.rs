//! The Daemons area: list per cluster, the deploy/update form, the daemon page.

mod deploy;
mod detail;
mod list;
mod tables;

pub use deploy::{CreateDaemonPage, UpdateDaemonPage};
pub use detail::DaemonPage;
pub use list::DaemonsPage;
pub use tables::InstancesTable;
