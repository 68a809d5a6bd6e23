pub mod clusters;
pub mod daemons;
pub mod history;
pub mod home;
pub mod login;
pub mod not_found;
pub mod placeholder;
pub mod task_definitions;
