//! Test support: spawn the whole portal on port 0 against a fresh database.
#![allow(dead_code)]

use server::{config::Config, startup::Application, state::AppState};

/// Runs `$name(backend)` once per database (`#[macro_use] mod common;`, with `Backend` in
/// scope).
#[allow(unused_macros)]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(super::Backend::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                super::$name(super::Backend::Postgres).await
            }
        }
    )*};
}

/// Which database a test runs against.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh SQLite file under the temp dir.
pub fn fresh_sqlite_url() -> String {
    let dir = std::env::temp_dir().join("daemon-portal-tests");
    std::fs::create_dir_all(&dir).unwrap();
    format!("sqlite://{}/{}.db", dir.display(), uuid::Uuid::new_v4())
}

/// A fresh database on the throwaway PostgreSQL cluster that `scripts/with-postgres.sh` starts
/// (it exports `TEST_POSTGRES_URL`). `None` when no cluster is running and none is required.
pub async fn fresh_postgres_url() -> Option<String> {
    let Ok(base) = std::env::var("TEST_POSTGRES_URL") else {
        if std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
            panic!("REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set");
        }
        eprintln!("skipping PostgreSQL: TEST_POSTGRES_URL is not set (run through `make test`)");
        return None;
    };
    use sqlx::Connection;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&base).await.expect("connect to test cluster");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    let (prefix, _) = base.rsplit_once('/').expect("TEST_POSTGRES_URL has a database path");
    Some(format!("{prefix}/{name}"))
}

pub async fn fresh_url(backend: Backend) -> Option<String> {
    match backend {
        Backend::Sqlite => Some(fresh_sqlite_url()),
        Backend::Postgres => fresh_postgres_url().await,
    }
}

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    /// Signed in as `admin` (its requests carry the session cookie).
    pub http: reqwest::Client,
    /// `portal_session=…` of that session.
    pub cookie: String,
}

/// The password of the demo accounts (tests run in embedded mode, where they exist).
pub const DEMO_PASSWORD: &str = "demo-password";

/// Starts the portal and signs in as `admin`.
pub async fn spawn_app_with(config: Config) -> TestApp {
    let app = Application::build(config).await.expect("application builds");
    let address = format!("http://{}", app.address());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let cookie = login(&address, "admin", DEMO_PASSWORD).await.expect("admin signs in");
    TestApp { address: address.clone(), state, http: client_for(&address, &cookie), cookie }
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

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Config::for_tests(&fresh_sqlite_url())).await
}

impl TestApp {
    /// Calls a server function the way a browser form does (urlencoded POST); returns the
    /// status and the JSON body.
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

    pub fn sim(&self) -> String {
        self.state.ecs.sim_endpoint.clone().expect("embedded mode")
    }

    /// Moves the emulator's clock forward (the app runs it in manual-clock mode).
    pub async fn advance(&self, seconds: f64) {
        let res = self
            .http
            .post(format!("{}/_sim/clock/advance", self.sim()))
            .json(&serde_json::json!({ "seconds": seconds }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "advance: {}", res.text().await.unwrap());
    }

    pub async fn sim_post(&self, path: &str, body: serde_json::Value) {
        let res = self.http.post(format!("{}{path}", self.sim())).json(&body).send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
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

/// The portal with the emulator's control API served at `/_sim/` (to admins).
pub async fn spawn_app_with_sim_control(backend: Backend) -> Option<TestApp> {
    let mut config = Config::for_tests(&fresh_url(backend).await?);
    config.sim_control = server::config::Toggle::On;
    Some(spawn_app_with(config).await)
}

/// The portal on a fresh SQLite database with the emulator's clock under the test's control.
pub async fn spawn_app_manual_clock() -> TestApp {
    let mut config = Config::for_tests(&fresh_sqlite_url());
    config.sim_manual_clock = true;
    spawn_app_with(config).await
}
