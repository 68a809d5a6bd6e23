//! CloudWatch `DescribeAlarms` on the emulator's endpoint, so the portal can read alarm
//! states with the real `aws-sdk-cloudwatch` client at the same URL as ECS. The alarms are
//! each world's own (`State::alarms`: the world file and `POST /_sim/alarms/{name}`); the
//! world is chosen as for ECS, from the SigV4 credential scope.
//!
//! `ops` is the operation over a world; `wire` is the protocol the SDK speaks, Smithy RPC v2
//! CBOR (not the awsQuery CloudWatch used before), under `/service/…/operation/…`.

pub mod ops;
pub(crate) mod wire;

pub use wire::{NAMESPACE, OPERATIONS, PROTOCOL, SERVICE};
