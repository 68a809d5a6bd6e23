//! Progressive delivery's pages: pipelines (`pipelines.rs`) and one promotion (`promotion.rs`).

pub mod calendar;
pub mod pipelines;
pub mod promotion;
