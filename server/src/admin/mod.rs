//! Administration data: approval policies, freeze windows, the embedded default policies, and
//! the account management behind the admin pages. SQL written once for both engines.

pub mod accounts;
pub mod freezes;
pub mod policies;
pub mod role_grants;
pub mod rows;
pub mod seed;
