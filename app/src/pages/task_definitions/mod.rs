//! Daemon task definitions: the families list, the create form (with its JSON view), the
//! revision page with its diff.

mod create;
pub(crate) mod diff;
mod list;
mod revision;

pub use create::{CreateTaskDefinitionPage, NewRevisionPage};
pub use list::TaskDefinitionsPage;
pub use revision::RevisionPage;

/// The revision page of `family:revision`.
pub fn revision_href(family: &str, revision: u32) -> String {
    format!("/task-definitions/{family}/{revision}")
}
