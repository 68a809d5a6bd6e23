pub mod account;
pub mod clusters;
pub mod daemons;
pub mod home;
pub mod login;
pub mod not_found;
pub mod placeholder;
pub mod task_definitions;
