//! Change requests: every change to what runs on the fleet is requested, approved under the
//! cluster's policy, executed once (idempotently) and followed to its end by the worker.
//!
//! - `store`: SQL, with atomic conditional transitions;
//! - `engine`: submission, reviews, cancel, edit, freeze override (the policy rules);
//! - `call`: the exact ECS call stored on a request and the code that sends it;
//! - `adopt`: after a crash or an ambiguous answer, what the call started (ECS ordering only);
//! - `execute`: leases, write-before/after around the ECS call, resuming, following;
//! - `worker`: the background loop every replica runs; `notify`: the webhook outbox;
//! - `drift`: out-of-band changes; `ownership`: which team owns what; `history`: rollout rows;
//! - `scope`: where a daemon runs now (with its target, what decides policies and freezes).

pub mod adopt;
pub mod call;
pub mod drift;
pub mod engine;
pub mod execute;
pub mod history;
pub mod notify;
pub mod ownership;
pub mod rows;
pub mod scope;
pub mod store;
pub mod worker;
