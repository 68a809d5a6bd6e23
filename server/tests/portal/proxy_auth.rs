//! Trusted-proxy single sign-on: identity headers are believed only from a configured proxy
//! address; users are created on first sight with no usable password, and their memberships
//! and admin flag follow the mapped groups. Storage parts run on SQLite and PostgreSQL.

use serde_json::{json, Value};
use server::auth::audit;

use crate::helpers::{login, Engine, TestApp, DEMO_PASSWORD};

/// The portal believing identity headers from `proxies`, with groups mapped to teams.
async fn app_trusting(engine: Engine, proxies: &str) -> TestApp {
    TestApp::on(engine)
        .trusted_proxies(proxies)
        .settings(|c| {
            c.proxy_group_map = "sre=platform:approver,devs=payments:deployer,devs=platform:viewer".into();
            c.proxy_admin_group = "portal-admins".into();
        })
        .await
}

/// `GET /api/v1/me` with the proxy's headers; (status, body).
async fn me_as(app: &TestApp, user: &str, groups: &str, extra: &[(&str, &str)]) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .get(format!("{}/api/v1/me", app.address))
        .header("x-forwarded-user", user)
        .header("x-forwarded-email", format!("{user}@example.com"))
        .header("x-forwarded-groups", groups);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

async fn from_a_trusted_proxy(engine: Engine) {
    // The test client connects from 127.0.0.1: that is the proxy here.
    let app = app_trusting(engine, "10.0.0.0/8, 127.0.0.1").await;

    let (status, body) =
        me_as(&app, "dana", "sre, devs, unrelated", &[("x-forwarded-for", "203.0.113.7")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["username"], "dana");
    assert_eq!(body["is_admin"], false);
    assert_eq!(
        body["teams"],
        json!([{"team": "payments", "role": "deployer"}, {"team": "platform", "role": "approver"}]),
        "the strongest mapped role per team"
    );

    // Created with the e-mail and no usable password.
    let (hash, email): (String, String) =
        sqlx::query_as("SELECT password_hash, email FROM users WHERE username = 'dana'")
            .fetch_one(app.state.services.db.pool())
            .await
            .unwrap();
    assert_eq!(email, "dana@example.com");
    assert!(!hash.starts_with("$argon2"), "no password hash: {hash}");
    assert_eq!(login(&app.address, "dana", "").await, Err(401));
    assert_eq!(login(&app.address, "dana", &hash).await, Err(401));

    // Memberships follow the groups, both ways.
    let (_, body) = me_as(&app, "dana", "devs", &[]).await;
    assert_eq!(
        body["teams"],
        json!([{"team": "payments", "role": "deployer"}, {"team": "platform", "role": "viewer"}])
    );
    let (_, body) = me_as(&app, "dana", "", &[]).await;
    assert_eq!(body["teams"], json!([]));
    let (_, body) = me_as(&app, "dana", "portal-admins", &[]).await;
    assert_eq!(body["is_admin"], true);
    let (_, body) = me_as(&app, "dana", "devs", &[]).await;
    assert_eq!(body["is_admin"], false, "leaving the admin group removes admin");

    // The audit log records the changes from the client's address (the proxy's X-Forwarded-For).
    let log = audit::recent(&app.state.services.db, 100).await.unwrap();
    let first = log.iter().rev().find(|e| e.action == "user.proxy_sync").expect("sync audited");
    assert_eq!((first.actor.as_str(), first.ip.as_str()), ("dana", "203.0.113.7"));
    // An unchanged identity writes nothing more.
    let before = log.len();
    me_as(&app, "dana", "devs", &[]).await;
    assert_eq!(audit::recent(&app.state.services.db, 100).await.unwrap().len(), before);

    // Pages render for the proxy's user without a login redirect.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/clusters", app.address))
        .header("x-forwarded-user", "dana")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // A disabled account stays out; no user header means anonymous.
    sqlx::query("UPDATE users SET disabled = 1 WHERE username = 'dana'")
        .execute(app.state.services.db.pool())
        .await
        .unwrap();
    assert_eq!(me_as(&app, "dana", "sre", &[]).await.0, 401);
    let res = reqwest::Client::new().get(format!("{}/api/v1/me", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

async fn from_anyone_else(engine: Engine) {
    // Proxy mode on, but the client (127.0.0.1) is not a proxy: the headers are ignored.
    let app = app_trusting(engine, "10.0.0.0/8").await;
    let (status, body) = me_as(&app, "admin", "portal-admins", &[]).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "unauthenticated");
    let (status, _) = me_as(&app, "mallory", "portal-admins", &[]).await;
    assert_eq!(status, 401);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = 'mallory'")
        .fetch_one(app.state.services.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0, "no account created from untrusted headers");
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/clusters", app.address))
        .header("x-forwarded-user", "admin")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "page views still go to the login page");
    // The spoofed X-Forwarded-For does not change the recorded address either.
    login(&app.address, "alice", "wrong").await.unwrap_err();
    let res = reqwest::Client::new()
        .post(format!("{}/api/login", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("x-forwarded-for", "198.51.100.1")
        .body("username=alice&password=wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let log = audit::recent(&app.state.services.db, 10).await.unwrap();
    assert!(log.iter().all(|e| e.ip == "127.0.0.1"), "{log:?}");
}

/// SSO accounts are their own namespace of case-folded names: an IdP user named like a local
/// account (which has a password) is refused instead of becoming it, and `Dana` and `dana` are
/// one person.
async fn sso_names(engine: Engine) {
    let app = app_trusting(engine, "127.0.0.1").await;
    for name in ["admin", "Admin", "ALICE"] {
        let (status, body) = me_as(&app, name, "portal-admins, sre", &[]).await;
        assert_eq!(status, 403, "{engine:?} {name}: {body}");
        assert_eq!(body["error"]["code"], "sso_name_taken", "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("local"), "{body}");
    }
    // The local accounts are untouched: admin is still admin by its password, alice not.
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT username, is_admin FROM users WHERE LOWER(username) IN ('admin', 'alice') ORDER BY username",
    )
    .fetch_all(app.state.services.db.pool())
    .await
    .unwrap();
    assert_eq!(rows, vec![("admin".to_string(), 1), ("alice".to_string(), 0)], "{engine:?}");
    assert!(login(&app.address, "admin", DEMO_PASSWORD).await.is_ok());

    // One account whatever the case the IdP sends.
    let (status, body) = me_as(&app, "Dana", "sre", &[]).await;
    assert_eq!((status, body["username"].as_str()), (200, Some("dana")), "{body}");
    let (status, body) = me_as(&app, "dana", "devs", &[]).await;
    assert_eq!((status, body["username"].as_str()), (200, Some("dana")), "{body}");
    let (status, body) = me_as(&app, "DANA", "devs", &[]).await;
    assert_eq!((status, body["username"].as_str()), (200, Some("dana")), "{body}");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE LOWER(username) = 'dana'")
        .fetch_one(app.state.services.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 1, "{engine:?}: one account");

    // A page view by a refused identity gets the refusal, not a session of the local account.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/clusters", app.address))
        .header("x-forwarded-user", "admin")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn proxy_mode_off_ignores_the_headers() {
    let app = TestApp::on(Engine::Sqlite).await;
    let (status, _) = me_as(&app, "admin", "", &[]).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn bad_proxy_settings_stop_the_start_naming_the_setting() {
    let err =
        TestApp::on(Engine::Sqlite).trusted_proxies("10.0.0.0/99").try_start().await.err().expect("refused");
    assert!(err.contains("PORTAL_TRUSTED_PROXIES"), "{err}");
}

on_both!(from_a_trusted_proxy, from_anyone_else, sso_names);
