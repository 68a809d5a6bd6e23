//! Test support: spawn the whole portal on port 0 against a fresh database.
#![allow(dead_code)]

use server::{config::Config, startup::Application, state::AppState};

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
    pub http: reqwest::Client,
}

pub async fn spawn_app_with(config: Config) -> TestApp {
    let app = Application::build(config).await.expect("application builds");
    let address = format!("http://{}", app.address());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp { address, state, http: reqwest::Client::new() }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Config::for_tests(&fresh_sqlite_url())).await
}
