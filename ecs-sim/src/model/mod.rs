//! Wire shapes of the ECS JSON protocol. Member names follow the Smithy model
//! exactly (checked against the `aws-sdk-ecs` 1.157 schemas). Optional members
//! are `Option` and skipped when unset: the SDK parses several members without
//! a null check, so `null` must never be sent.

pub mod input;
pub mod output;

/// Epoch seconds, as the awsJson1_1 protocol encodes timestamps.
pub type Timestamp = f64;

pub fn ts(ms: i64) -> Timestamp {
    ms as f64 / 1000.0
}
