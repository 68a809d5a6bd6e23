//! TEMPORARY copy of the admin helper's data layer (replaced when branch admin merges).

pub mod freezes;
pub mod policies;
pub mod seed;
