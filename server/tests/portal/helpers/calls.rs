//! Calling the portal's server functions as its pages do.

use super::app::TestApp;

impl TestApp {
    /// Calls a server function the way a browser form does (urlencoded POST) as `admin`;
    /// returns the status and the JSON body.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
        self.call_with(&self.http, endpoint, form).await
    }

    /// [`TestApp::call`] with another client (anonymous, or signed in as someone else).
    pub async fn call_with(
        &self,
        http: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let res = http
            .post(format!("{}/api/{endpoint}", self.address))
            // As a page of the portal would.
            .header("origin", &self.address)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded(form))
            .send()
            .await
            .expect("request reaches the portal");
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, body)
    }

    /// The HTML of page `path`, as `admin` sees it.
    pub async fn page(&self, path: &str) -> String {
        let res = self.http.get(format!("{}{path}", self.address)).send().await.expect("page answers");
        res.text().await.expect("page body")
    }

    /// Registers a small daemon task definition through the portal; returns its ARN.
    pub async fn register(&self, family: &str, image: &str, vcpu: &str, gb: &str) -> String {
        let (status, body) = self
            .call(
                "create-task-definition",
                &[
                    ("form[family]", family),
                    ("form[execution_role]", "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"),
                    ("form[containers][0][name]", "agent"),
                    ("form[containers][0][image]", image),
                    ("form[containers][0][essential]", "on"),
                    ("form[containers][0][cpu]", vcpu),
                    ("form[containers][0][memory]", gb),
                ],
            )
            .await;
        assert_eq!(status, 200, "register {family}: {body}");
        body.as_str().expect("ARN").to_string()
    }
}

/// `application/x-www-form-urlencoded` encoding of pairs.
pub fn serde_urlencoded(pairs: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}
