//! Daemon task definitions: the families list, the create form (with its JSON view), the
//! revision page with its diff.

mod create;
pub(crate) mod diff;
mod list;
mod revision;

pub use create::{CreateTaskDefinitionPage, NewRevisionPage};
pub use list::TaskDefinitionsPage;
pub use revision::RevisionPage;

use crate::pages::env_scope::EnvScope;

/// The revision page of `family:revision` in `scope`'s environment.
pub fn revision_href(scope: &EnvScope, family: &str, revision: u32) -> String {
    scope.path(&format!("/task-definitions/{family}/{revision}"))
}
