//! The two databases every storage path runs on, and the macro that turns one test into a test
//! per engine.

/// Generates, for each `name` listed, `name::sqlite` and `name::postgres` tests that call
/// `name(Engine::…)` (with `Engine` in scope where the list is). The PostgreSQL test returns at
/// once when no cluster runs and none is required ([`Engine::skipped`]), so plain
/// `cargo test` works without one while `REQUIRE_POSTGRES=1` makes its absence a failure.
/// A macro rather than rstest's `#[case]`: no new dependency, and the skip above lives in one
/// place instead of at the top of every case.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(super::Engine::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                if super::Engine::Postgres.skipped() {
                    return;
                }
                super::$name(super::Engine::Postgres).await
            }
        }
    )*};
}

/// Which database a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// True when this engine's tests should not run: PostgreSQL without the throwaway cluster
    /// that `scripts/with-postgres.sh` starts (it exports `TEST_POSTGRES_URL`). Panics instead
    /// when `REQUIRE_POSTGRES=1`, so CI cannot pass by skipping.
    pub fn skipped(self) -> bool {
        if self == Engine::Sqlite || std::env::var("TEST_POSTGRES_URL").is_ok() {
            return false;
        }
        if std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
            panic!("REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set");
        }
        eprintln!("skipping PostgreSQL: TEST_POSTGRES_URL is not set (run through `make test`)");
        true
    }

    /// The URL of a new, empty database: a file under the temp dir, or a database created on
    /// the test cluster (panics when there is none: check [`Engine::skipped`] first).
    pub async fn fresh_url(self) -> String {
        match self {
            Engine::Sqlite => {
                let dir = std::env::temp_dir().join("daemon-portal-tests");
                std::fs::create_dir_all(&dir).unwrap();
                format!("sqlite://{}/{}.db", dir.display(), uuid::Uuid::new_v4())
            }
            Engine::Postgres => {
                use sqlx::Connection;
                let base = std::env::var("TEST_POSTGRES_URL")
                    .expect("TEST_POSTGRES_URL is set (run through scripts/with-postgres.sh)");
                let name = format!("t_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&base).await.expect("connect to test cluster");
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
                let (prefix, _) = base.rsplit_once('/').expect("TEST_POSTGRES_URL has a database path");
                format!("{prefix}/{name}")
            }
        }
    }
}
