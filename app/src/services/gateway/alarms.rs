//! CloudWatch alarm states, for a promotion's soak gate. Read through the real CloudWatch client
//! of the environment (the embedded emulator answers DescribeAlarms too); never cached, since
//! the gate is about what the alarm says now.

use super::{error::GatewayError, EcsGateway};
use crate::services::error::EcsFailure;

/// DescribeAlarms takes at most 100 names a call.
const NAMES_PER_CALL: usize = 100;

impl EcsGateway {
    /// (name, state) of the named metric alarms CloudWatch knows; unknown names are left out.
    pub async fn alarm_states(&self, names: &[String]) -> Result<Vec<(String, String)>, GatewayError> {
        let mut found = Vec::new();
        for chunk in names.chunks(NAMES_PER_CALL) {
            let mut next: Option<String> = None;
            loop {
                let out = self
                    .ecs
                    .cloudwatch
                    .describe_alarms()
                    .set_alarm_names(Some(chunk.to_vec()))
                    .set_next_token(next.take())
                    .send()
                    .await
                    .map_err(|e| GatewayError::Ecs(EcsFailure::from(e)))?;
                for a in out.metric_alarms() {
                    if let (Some(name), Some(state)) = (a.alarm_name(), a.state_value()) {
                        found.push((name.to_string(), state.as_str().to_string()));
                    }
                }
                match out.next_token() {
                    Some(t) if !t.is_empty() => next = Some(t.to_string()),
                    _ => break,
                }
            }
        }
        Ok(found)
    }
}
