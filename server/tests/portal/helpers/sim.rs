//! Driving the embedded ECS emulator directly (its clock, its faults, its fleet).

use super::app::TestApp;

impl TestApp {
    /// The emulator's base URL.
    pub fn sim(&self) -> String {
        self.state.services.gateway.ecs.sim_endpoint.clone().expect("embedded mode")
    }

    /// Moves the emulator's clock forward (needs [`super::Spawn::manual_clock`]).
    pub async fn advance(&self, seconds: f64) {
        self.sim_post("/_sim/clock/advance", serde_json::json!({ "seconds": seconds })).await;
    }

    /// POSTs JSON to the emulator's control API; panics unless it succeeds.
    pub async fn sim_post(&self, path: &str, body: serde_json::Value) {
        let res = self.http.post(format!("{}{path}", self.sim())).json(&body).send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
    }
}
