//! The request and response bodies of `/api/v1`: its contract, kept apart from the UI's view
//! models so that a change to a page cannot change the API. Each type derives its OpenAPI
//! schema (`utoipa::ToSchema`); responses deny unknown fields in the schema
//! (`additionalProperties: false`), so the contract test notices a field added here but not
//! documented, or documented but not sent. Conversions from the services' types live next to
//! each type.

pub mod changes;
pub mod clusters;
pub mod common;
pub mod daemons;
pub mod delivery;
pub mod history;
pub mod me;
pub mod promotions;
pub mod task_definitions;
