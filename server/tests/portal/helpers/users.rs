//! Signing in, and clients that carry a session the way a browser does.

use serde_json::Value;

use super::{app::TestApp, calls::serde_urlencoded};

/// The password of the demo accounts (tests run in embedded mode, where they exist).
pub const DEMO_PASSWORD: &str = "demo-password";

impl TestApp {
    /// A client signed in as the demo account `user` (alice deploys, bob approves and carol
    /// views in team platform).
    pub async fn as_user(&self, user: &str) -> reqwest::Client {
        self.session(user, DEMO_PASSWORD).await
    }

    /// A client signed in as `admin` (the session the app was started with).
    pub fn as_admin(&self) -> reqwest::Client {
        self.http.clone()
    }

    /// A client signed in as `user` with `password`; panics when the portal refuses.
    pub async fn session(&self, user: &str, password: &str) -> reqwest::Client {
        let cookie =
            login(&self.address, user, password).await.unwrap_or_else(|s| panic!("{user} signs in: {s}"));
        client_for(&self.address, &cookie)
    }

    /// `current-user` as `http` sees it (null when signed out).
    pub async fn whoami(&self, http: &reqwest::Client) -> Value {
        let (status, body) = self.call_with(http, "current-user", &[]).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

/// A client whose every request carries this `Cookie` header and, when [`login`] made the
/// session, names the portal it signed in to as `Origin`, as a browser does (the portal
/// refuses state-changing requests that carry a session but no origin).
pub fn client_with_cookie(cookie: &str) -> reqwest::Client {
    match session_origin(cookie) {
        Some(address) => client_for(&address, cookie),
        None => client_without_origin(cookie),
    }
}

/// A client whose every request carries this `Cookie` header and `Origin: address`.
pub fn client_for(address: &str, cookie: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.parse().expect("cookie header"));
    headers.insert(reqwest::header::ORIGIN, address.parse().expect("origin header"));
    reqwest::Client::builder().default_headers(headers).build().expect("client")
}

/// A client whose every request carries this `Cookie` header and nothing else (not a browser).
pub fn client_without_origin(cookie: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.parse().expect("cookie header"));
    reqwest::Client::builder().default_headers(headers).build().expect("client")
}

/// Which portal each session cookie made by [`login`] belongs to, so that
/// [`client_with_cookie`] can send the right `Origin` without being told the address.
static SESSION_ORIGINS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, String>>> =
    std::sync::LazyLock::new(Default::default);

fn session_origin(cookie: &str) -> Option<String> {
    SESSION_ORIGINS.lock().unwrap().get(cookie).cloned()
}

/// Signs in through `POST /api/login`; the `portal_session=…` pair on success, else the status.
pub async fn login(address: &str, username: &str, password: &str) -> Result<String, u16> {
    let res = reqwest::Client::new()
        .post(format!("{address}/api/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(serde_urlencoded(&[("username", username), ("password", password)]))
        .send()
        .await
        .expect("request reaches the portal");
    if !res.status().is_success() {
        return Err(res.status().as_u16());
    }
    let set_cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("portal_session="))
        .expect("login sets the session cookie");
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    SESSION_ORIGINS.lock().unwrap().insert(cookie.clone(), address.to_string());
    Ok(cookie)
}
