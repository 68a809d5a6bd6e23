//! Migrations apply cleanly on both backends, and the pool works afterwards.
use crate::helpers::Engine;
use server::{config::DatabaseUrl, db::Db};
use sqlx::Row;

async fn migrations_apply(engine: Engine) {
    let url = engine.fresh_url().await;
    let db = Db::connect(&DatabaseUrl::parse(&url).unwrap()).await.expect("connect + migrate");
    let applied: i64 = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations WHERE success = TRUE")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get("n");
    assert_eq!(applied as usize, db.migrator().iter().count(), "{engine:?}");

    // A second connect re-runs the migrator: it must be a no-op, not an error.
    let again = Db::connect(&DatabaseUrl::parse(&url).unwrap()).await.expect("idempotent");

    // The schema is usable with the portable SQL the server writes.
    sqlx::query("INSERT INTO portal_meta (key, value, updated_at) VALUES ($1, $2, $3)")
        .bind("it's")
        .bind("'; DROP TABLE portal_meta; --")
        .bind(1_700_000_000_000_i64)
        .execute(again.pool())
        .await
        .unwrap();
    let row = sqlx::query("SELECT value, updated_at FROM portal_meta WHERE key = $1")
        .bind("it's")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("value"), "'; DROP TABLE portal_meta; --");
    assert_eq!(row.get::<i64, _>("updated_at"), 1_700_000_000_000);
}

#[tokio::test]
async fn unreachable_postgres_is_a_named_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = DatabaseUrl::parse(&format!("postgres://u:pw@127.0.0.1:{port}/db")).unwrap();
    let err = Db::connect(&url).await.unwrap_err().to_string();
    assert!(err.starts_with("DATABASE_URL"), "{err}");
    assert!(!err.contains(":pw@"), "password leaked: {err}");
}

on_both!(migrations_apply);
