//! API tokens: created once with a scope no wider than the owner's, stored as SHA-256, sent
//! as `Authorization: Bearer`, narrowed to their scope, refused once revoked or expired, and
//! audited. Storage parts run on SQLite and (through `scripts/with-postgres.sh`) PostgreSQL.

use serde_json::{json, Value};
use server::auth::{audit, sessions};

use crate::helpers::{serde_urlencoded, Engine, TestApp};

async fn create(
    app: &TestApp,
    http: &reqwest::Client,
    name: &str,
    days: &str,
    scope: &[&str],
) -> (u16, Value) {
    let keys: Vec<String> = (0..scope.len()).map(|i| format!("form[scope][{i}]")).collect();
    let mut form = vec![("form[name]", name), ("form[expires_days]", days)];
    form.extend(keys.iter().map(String::as_str).zip(scope.iter().copied()));
    app.call_with(http, "create-api-token", &form).await
}

fn bearer(secret: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {secret}").parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

async fn me(app: &TestApp, http: &reqwest::Client) -> (u16, Value) {
    let res = http.get(format!("{}/api/v1/me", app.address)).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

async fn token_lifecycle(engine: Engine) {
    let app = TestApp::on(engine).await;
    let alice = app.as_user("alice").await;

    // Created: the secret comes back once, prefixed.
    let (status, body) = create(&app, &alice, "payments-ci", "30", &["platform:deployer"]).await;
    assert_eq!(status, 200, "{body}");
    let secret = body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("dpt_") && secret.len() == 68, "{secret}");
    let id = body["row"]["id"].as_str().unwrap().to_string();
    assert_eq!(body["row"]["scope"], json!(["platform:deployer"]));

    // Stored as its SHA-256, never in clear.
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT token_hash, prefix, scope FROM api_tokens")
            .fetch_all(app.state.services.db.pool())
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, sessions::hash_token(&secret));
    assert!(secret.starts_with(&rows[0].1) && rows[0].1.len() < 16, "only a short prefix is kept");
    assert!(rows.iter().all(|(a, b, c)| !a.contains(&secret[4..])
        && !b.contains(&secret[4..])
        && !c.contains(&secret[4..])));

    // The list shows it without the secret.
    let (status, list) = app.call_with(&alice, "list-api-tokens", &[]).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["tokens"][0]["id"], id.as_str());
    assert!(!list.to_string().contains(&secret[4..]), "the list never carries the secret");
    assert_eq!(list["scope_options"], json!(["platform:viewer", "platform:deployer"]));

    // It works as a bearer token, as alice narrowed to its scope.
    let token = bearer(&secret);
    let (status, who) = me(&app, &token).await;
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["username"], "alice");
    assert_eq!(who["auth"], "token");
    assert_eq!(who["teams"], json!([{"team": "platform", "role": "deployer"}]));
    // …for server functions too, and it records its use.
    let (status, _) = app.call_with(&token, "list-clusters", &[]).await;
    assert_eq!(status, 200);
    let used: Option<i64> = sqlx::query_scalar("SELECT last_used_at FROM api_tokens WHERE id = $1")
        .bind(&id)
        .fetch_one(app.state.services.db.pool())
        .await
        .unwrap();
    assert!(used.is_some(), "last_used_at is set");

    // A token cannot mint or revoke tokens.
    let (status, body) = create(&app, &token, "child", "365", &["platform:deployer"]).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(app.call_with(&token, "revoke-api-token", &[("id", &id)]).await.0, 403);

    // A narrower token: viewer only, so writes are refused even though alice may deploy.
    let (_, body) = create(&app, &alice, "read-only", "1", &["platform:viewer"]).await;
    let viewer_token = bearer(body["secret"].as_str().unwrap());
    assert_eq!(me(&app, &viewer_token).await.1["teams"], json!([{"team": "platform", "role": "viewer"}]));
    let (status, body) =
        app.call_with(&viewer_token, "delete-daemon", &[("cluster", "default"), ("name", "nope")]).await;
    assert_eq!(status, 403, "{body}");

    // Someone else cannot revoke it.
    let carol = app.as_user("carol").await;
    assert_eq!(app.call_with(&carol, "revoke-api-token", &[("id", &id)]).await.0, 404);
    assert_eq!(me(&app, &token).await.0, 200);

    // Revoked → 401 JSON.
    let (status, body) = app.call_with(&alice, "revoke-api-token", &[("id", &id)]).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = me(&app, &token).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "invalid_token");
    assert_eq!(app.call_with(&token, "list-clusters", &[]).await.0, 401);
    assert_eq!(app.call_with(&alice, "revoke-api-token", &[("id", &id)]).await.0, 404, "revoked once");

    // Creation and revocation are in the audit log, with who and from where.
    let log = audit::recent(&app.state.services.db, 100).await.unwrap();
    let created = log.iter().find(|e| e.action == "token.create").expect("creation audited");
    assert_eq!((created.actor.as_str(), created.ip.as_str()), ("alice", "127.0.0.1"));
    assert!(!created.detail.contains(&secret[4..]), "no secret in the audit log");
    let revoked = log.iter().find(|e| e.action == "token.revoke").expect("revocation audited");
    assert_eq!((revoked.actor.as_str(), revoked.target.as_str()), ("alice", id.as_str()));
}

async fn scope_and_expiry(engine: Engine) {
    let app = TestApp::on(engine).await;
    let carol = app.as_user("carol").await;

    // A viewer cannot mint a deployer token, nor anyone a token for a team they are not in,
    // nor a non-admin an admin token.
    let (status, body) = create(&app, &carol, "ci", "30", &["platform:deployer"]).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.to_string().contains("cannot be wider"), "{body}");
    assert_eq!(create(&app, &carol, "ci", "30", &["payments:viewer"]).await.0, 403);
    assert_eq!(create(&app, &carol, "ci", "30", &["admin"]).await.0, 403);
    let alice = app.as_user("alice").await;
    assert_eq!(create(&app, &alice, "ci", "30", &["platform:approver"]).await.0, 403);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens")
        .fetch_one(app.state.services.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing stored for refused requests");

    // Bad input: field errors, 422.
    for (name, days, scope, field) in [
        ("", "30", vec!["platform:viewer"], "name"),
        ("ci", "0", vec!["platform:viewer"], "expires_days"),
        ("ci", "366", vec!["platform:viewer"], "expires_days"),
        ("ci", "30", vec![], "scope"),
    ] {
        let (status, body) = create(&app, &carol, name, days, &scope).await;
        assert_eq!(status, 422, "{body}");
        assert!(body["Invalid"][field].is_string(), "{field}: {body}");
    }

    // An admin may mint an admin token; an expired token is refused.
    let (status, body) = app
        .call_with(
            &app.http,
            "create-api-token",
            &[("form[name]", "ops"), ("form[expires_days]", "1"), ("form[scope][0]", "admin")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let admin_token = bearer(body["secret"].as_str().unwrap());
    assert_eq!(me(&app, &admin_token).await.1["is_admin"], true);
    sqlx::query("UPDATE api_tokens SET expires_at = $1")
        .bind(server::auth::now_ms() - 1)
        .execute(app.state.services.db.pool())
        .await
        .unwrap();
    let (status, body) = me(&app, &admin_token).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("invalid_token")));

    // A token whose owner lost a role loses it too; a disabled owner's tokens stop working.
    let (_, body) = create(&app, &alice, "deploys", "30", &["platform:deployer"]).await;
    let token = bearer(body["secret"].as_str().unwrap());
    sqlx::query("UPDATE memberships SET role = 'viewer' WHERE user_id = (SELECT id FROM users WHERE username = 'alice')")
        .execute(app.state.services.db.pool())
        .await
        .unwrap();
    assert_eq!(me(&app, &token).await.1["teams"], json!([]));
    sqlx::query("UPDATE users SET disabled = 1 WHERE username = 'alice'")
        .execute(app.state.services.db.pool())
        .await
        .unwrap();
    assert_eq!(me(&app, &token).await.0, 401);
}

#[tokio::test]
async fn malformed_and_unknown_tokens_are_refused() {
    let app = TestApp::on(Engine::Sqlite).await;
    let unknown = format!("dpt_{}", "ab".repeat(32));
    for value in ["Bearer nonsense", "Bearer ", "bearer dpt_1234", &format!("Bearer {unknown}")] {
        let res = reqwest::Client::new()
            .get(format!("{}/api/v1/me", app.address))
            .header("authorization", value)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{value}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_token", "{value}");
    }
    // A bad token is not rescued by a good cookie: the token decides.
    let res = app
        .http
        .get(format!("{}/api/v1/me", app.address))
        .header("authorization", format!("Bearer {unknown}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn bearer_requests_skip_the_origin_check_but_cookies_do_not() {
    let app = TestApp::on(Engine::Sqlite).await;
    let (_, body) = app
        .call(
            "create-api-token",
            &[("form[name]", "ci"), ("form[expires_days]", "7"), ("form[scope][0]", "admin")],
        )
        .await;
    let secret = body["secret"].as_str().unwrap().to_string();
    let post = |http: reqwest::Client| {
        let url = format!("{}/api/current-user", app.address);
        async move {
            http.post(url).header("origin", "https://evil.example").send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(post(bearer(&secret)).await, 200, "bearer only: no ambient credentials to abuse");
    assert_eq!(post(app.as_admin()).await, 403, "cookie: refused");
    let mut both = reqwest::header::HeaderMap::new();
    both.insert("authorization", format!("Bearer {secret}").parse().unwrap());
    both.insert("cookie", app.cookie.parse().unwrap());
    let both = reqwest::Client::builder().default_headers(both).build().unwrap();
    assert_eq!(post(both).await, 403, "bearer plus cookie: still checked");
}

#[tokio::test]
async fn the_tokens_page_needs_a_session_and_shows_the_form() {
    let app = TestApp::on(Engine::Sqlite).await;
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/account/tokens", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let html =
        app.http.get(format!("{}/account/tokens", app.address)).send().await.unwrap().text().await.unwrap();
    for needle in ["Token name", "Expires in (days)", "Scope", "form[scope][0]", "You have no API tokens."] {
        assert!(html.contains(needle), "{needle} missing");
    }
}

/// Without JavaScript the form posts, the server redirects back, and the page shows the
/// secret once (handed over in a cookie only that page receives, cleared when shown).
#[tokio::test]
async fn plain_form_post_shows_the_secret_once() {
    let app = TestApp::on(Engine::Sqlite).await;
    let no_redirects = |cookie: &str| {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("cookie", cookie.parse().unwrap());
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(h)
            .build()
            .unwrap()
    };
    let res = no_redirects(&app.cookie)
        .post(format!("{}/api/create-api-token", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("referer", format!("{}/account/tokens", app.address))
        .body(serde_urlencoded(&[
            ("form[name]", "no-js"),
            ("form[expires_days]", "5"),
            ("form[scope][0]", "admin"),
        ]))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], "/account/tokens");
    let flash = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("portal_new_token="))
        .expect("hand-over cookie")
        .to_string();
    assert!(
        flash.contains("Path=/account/tokens") && flash.contains("HttpOnly") && flash.contains("Max-Age=60")
    );
    let pair = flash.split(';').next().unwrap();
    let secret = pair.trim_start_matches("portal_new_token=").to_string();
    let res = no_redirects(&format!("{}; {pair}", app.cookie))
        .get(format!("{}/account/tokens", app.address))
        .send()
        .await
        .unwrap();
    let cleared = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("portal_new_token=;") && v.contains("Max-Age=0"));
    assert!(cleared, "the page clears the hand-over cookie");
    let html = res.text().await.unwrap();
    assert!(html.contains(&secret), "the page shows the new secret");
    assert_eq!(me(&app, &bearer(&secret)).await.0, 200);
}

/// An admin token cannot administer accounts or credentials (create a user, reset a password,
/// grant admin, change memberships): that would be a way round "tokens cannot create tokens".
async fn accounts_are_administered_with_a_session_only(engine: Engine) {
    let app = TestApp::on(engine).await;
    let (status, body) = app
        .call(
            "create-api-token",
            &[("form[name]", "ops"), ("form[expires_days]", "1"), ("form[scope][0]", "admin")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let token = bearer(body["secret"].as_str().unwrap());
    let password = "a long enough password";
    for (endpoint, args) in [
        ("admin-create-user", vec![("form[username]", "mallory"), ("form[password]", password)]),
        ("admin-reset-password", vec![("username", "carol"), ("password", password)]),
        ("admin-set-user-admin", vec![("username", "carol"), ("admin", "true")]),
        ("admin-set-user-disabled", vec![("username", "carol"), ("disabled", "true")]),
        ("admin-create-team", vec![("name", "shadow")]),
        ("admin-set-membership", vec![("username", "carol"), ("team", "platform"), ("role", "approver")]),
        ("admin-remove-membership", vec![("username", "alice"), ("team", "platform")]),
        (
            "create-api-token",
            vec![("form[name]", "x"), ("form[expires_days]", "1"), ("form[scope][0]", "admin")],
        ),
    ] {
        let (status, body) = app.call_with(&token, endpoint, &args).await;
        assert_eq!(status, 403, "{engine:?} {endpoint}: {body}");
    }
    // Nothing changed: carol signs in with her old password and is still a plain viewer.
    let carol = app.as_user("carol").await;
    let (_, me) = app.call_with(&carol, "current-user", &[]).await;
    assert_eq!((me["is_admin"].as_bool(), &me["teams"]), (Some(false), &json!([["platform", "viewer"]])));
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = 'mallory'")
        .fetch_one(app.state.services.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    // Reading is not administration: the token may list the users.
    assert_eq!(app.call_with(&token, "admin-list-users", &[]).await.0, 200);
    // The same calls from the admin's session work.
    let (status, body) =
        app.call("admin-create-user", &[("form[username]", "mallory"), ("form[password]", password)]).await;
    assert_eq!(status, 200, "{body}");
}

on_both!(token_lifecycle, scope_and_expiry, accounts_are_administered_with_a_session_only);
