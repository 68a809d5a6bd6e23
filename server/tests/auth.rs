//! Identity and access: login and logout, cookies, rate limiting, expiry, forged sessions,
//! the cross-origin check, the audit log and the authorisation matrix of every server function.
//! The storage parts run on SQLite and, through `scripts/with-postgres.sh`, on PostgreSQL.

mod common;

use common::{client_with_cookie, fresh_url, login, Backend, TestApp, DEMO_PASSWORD};
use serde_json::Value;
use server::{
    auth::{audit, sessions},
    config::{Config, Toggle},
};

async fn app_on(backend: Backend) -> Option<TestApp> {
    let url = fresh_url(backend).await?;
    Some(common::spawn_app_with(Config::for_tests(&url)).await)
}

async fn raw_login(app: &TestApp, user: &str, password: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut req = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/api/login", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json");
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.body(common::serde_urlencoded(&[("username", user), ("password", password)])).send().await.unwrap()
}

async fn whoami(app: &TestApp, http: &reqwest::Client) -> Value {
    let (status, body) = app.call_with(http, "current-user", &[]).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn actions(app: &TestApp) -> Vec<(String, String, String)> {
    audit::recent(&app.state.db, 1000).await.unwrap().into_iter().map(|e| (e.action, e.actor, e.ip)).collect()
}

async fn login_logout_and_audit(backend: Backend) {
    let Some(app) = app_on(backend).await else { return };
    let cookie = login(&app.address, "alice", DEMO_PASSWORD).await.expect("alice signs in");
    let alice = client_with_cookie(&cookie);
    let me = whoami(&app, &alice).await;
    assert_eq!(me["username"], "alice");
    assert_eq!(me["teams"], serde_json::json!([["platform", "deployer"]]));

    // A new session at every login.
    let again = login(&app.address, "alice", DEMO_PASSWORD).await.unwrap();
    assert_ne!(cookie, again, "session id rotates at login");

    // The table keeps only the token's hash.
    let token = cookie.trim_start_matches("portal_session=");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT id FROM sessions").fetch_all(app.state.db.pool()).await.unwrap();
    assert!(!stored.iter().any(|s| s == token), "token stored in clear");
    assert!(stored.contains(&sessions::hash_token(token)));

    // Logout deletes the session: the cookie no longer works.
    let (status, _) = app.call_with(&alice, "logout", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(whoami(&app, &alice).await, Value::Null);
    let (status, _) = app.call_with(&alice, "list-clusters", &[]).await;
    assert_eq!(status, 401);

    // Wrong password.
    let res = raw_login(&app, "alice", "nope", &[]).await;
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, serde_json::json!("WrongCredentials"));
    let res = raw_login(&app, "nobody", "nope", &[]).await;
    assert_eq!(res.status(), 401, "unknown user answers the same");

    let log = actions(&app).await;
    for (action, actor) in
        [("login", "alice"), ("logout", "alice"), ("login.failed", "alice"), ("login.failed", "nobody")]
    {
        assert!(
            log.iter().any(|(a, u, ip)| a == action && u == actor && ip == "127.0.0.1"),
            "{action} by {actor} with address in {log:?}"
        );
    }
}

#[tokio::test]
async fn login_logout_and_audit_sqlite() {
    login_logout_and_audit(Backend::Sqlite).await;
}

#[tokio::test]
async fn login_logout_and_audit_postgres() {
    login_logout_and_audit(Backend::Postgres).await;
}

async fn rate_limit_and_expiry(backend: Backend) {
    let Some(app) = app_on(backend).await else { return };
    for _ in 0..5 {
        assert_eq!(raw_login(&app, "bob", "wrong", &[]).await.status(), 401);
    }
    // Even the right password is refused now, with a clear message.
    let res = raw_login(&app, "bob", DEMO_PASSWORD, &[]).await;
    assert_eq!(res.status(), 429);
    let body: Value = res.json().await.unwrap();
    assert!(body["TooManyAttempts"].as_str().unwrap().contains("Try again in"), "{body}");
    // Other accounts are not locked by it.
    assert!(login(&app.address, "carol", DEMO_PASSWORD).await.is_ok());
    assert!(actions(&app).await.iter().any(|(a, u, _)| a == "login.refused" && u == "bob"));

    // Idle and absolute expiry.
    let cookie = login(&app.address, "carol", DEMO_PASSWORD).await.unwrap();
    let carol = client_with_cookie(&cookie);
    assert_eq!(whoami(&app, &carol).await["username"], "carol");
    let id = sessions::hash_token(cookie.trim_start_matches("portal_session="));
    let idle = server::auth::now_ms() - sessions::IDLE_MS - 1000;
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(idle)
        .bind(&id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(app.call_with(&carol, "list-clusters", &[]).await.0, 401, "idle session refused");

    let cookie = login(&app.address, "carol", DEMO_PASSWORD).await.unwrap();
    let carol = client_with_cookie(&cookie);
    let id = sessions::hash_token(cookie.trim_start_matches("portal_session="));
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2")
        .bind(server::auth::now_ms() - 1)
        .bind(&id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(app.call_with(&carol, "list-clusters", &[]).await.0, 401, "expired session refused");
}

#[tokio::test]
async fn rate_limit_and_expiry_sqlite() {
    rate_limit_and_expiry(Backend::Sqlite).await;
}

#[tokio::test]
async fn rate_limit_and_expiry_postgres() {
    rate_limit_and_expiry(Backend::Postgres).await;
}

#[tokio::test]
async fn cookie_flags() {
    let app = common::spawn_app().await;
    let res = raw_login(&app, "alice", DEMO_PASSWORD, &[]).await;
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let value = cookie.split(';').next().unwrap().trim_start_matches("portal_session=");
    assert_eq!(value.len(), 64, "32 random bytes, hex");

    let res = raw_login(&app, "alice", DEMO_PASSWORD, &[("x-forwarded-proto", "https")]).await;
    assert!(res.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
}

#[tokio::test]
async fn forged_and_stolen_session_ids_are_refused() {
    let app = common::spawn_app().await;
    let forged = client_with_cookie(&format!("portal_session={}", "ab".repeat(32)));
    assert_eq!(app.call_with(&forged, "list-clusters", &[]).await.0, 401);
    let junk = client_with_cookie("portal_session=' OR 1=1 --");
    assert_eq!(app.call_with(&junk, "list-clusters", &[]).await.0, 401);
    // The database key of a real session (what a leaked table would show) is not a cookie.
    let id = sessions::hash_token(app.cookie.trim_start_matches("portal_session="));
    let leaked = client_with_cookie(&format!("portal_session={id}"));
    assert_eq!(app.call_with(&leaked, "list-clusters", &[]).await.0, 401);
    // A session whose user was signed out elsewhere.
    let cookie = login(&app.address, "alice", DEMO_PASSWORD).await.unwrap();
    let alice = client_with_cookie(&cookie);
    app.call_with(&alice, "logout", &[]).await;
    assert_eq!(app.call_with(&alice, "list-clusters", &[]).await.0, 401, "replayed after logout");
}

#[tokio::test]
async fn cross_origin_posts_are_refused() {
    let app = common::spawn_app().await;
    let post = |origin: Option<&'static str>, referer: Option<&'static str>| {
        let mut req = app
            .http
            .post(format!("{}/api/list-clusters", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json");
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(r) = referer {
            req = req.header("referer", r);
        }
        req.send()
    };
    let res = post(Some("https://evil.example"), None).await.unwrap();
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "cross_origin", "{body}");
    assert!(body["error"]["message"].is_string());
    assert_eq!(post(None, Some("https://evil.example/page")).await.unwrap().status(), 403);
    assert_eq!(post(Some("null"), None).await.unwrap().status(), 403);
    // Same origin, or no header at all: allowed.
    let own: &'static str = Box::leak(app.address.clone().into_boxed_str());
    assert_eq!(post(Some(own), None).await.unwrap().status(), 200);
    assert_eq!(post(None, None).await.unwrap().status(), 200);
    // Behind a reverse proxy that rewrote Host, the forwarded host counts.
    let res = app
        .http
        .post(format!("{}/api/list-clusters", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://portal.example")
        .header("x-forwarded-host", "portal.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Also a login from another site.
    let res = raw_login(&app, "alice", DEMO_PASSWORD, &[("origin", "https://evil.example")]).await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn anonymous_pages_redirect_to_login() {
    let app = common::spawn_app().await;
    let anon = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = anon.get(format!("{}/daemons?cluster=prod", app.address)).send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], "/login?next=/daemons%3Fcluster%3Dprod");
    let res = anon.get(format!("{}/login", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for needle in ["Username", "Password", "Sign in", "demo-password", "alice"] {
        assert!(html.contains(needle), "login page lacks {needle}");
    }
    for open in ["/healthz", "/readyz"] {
        assert_eq!(anon.get(format!("{}{open}", app.address)).send().await.unwrap().status(), 200, "{open}");
    }
    // Signed in, the page itself and the user's name.
    let res = app.http.get(format!("{}/", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Sign out") && html.contains("admin"));
}

#[tokio::test]
async fn plain_form_login_redirects_to_next_and_errors_come_back() {
    let app = common::spawn_app().await;
    let anon = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let send = |password: &'static str, next: &'static str| {
        anon.post(format!("{}/api/login", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html")
            .header("referer", format!("{}/login?next=%2Fclusters", app.address))
            .body(common::serde_urlencoded(&[("username", "alice"), ("password", password), ("next", next)]))
            .send()
    };
    let res = send(DEMO_PASSWORD, "/clusters").await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], "/clusters");
    let res = send(DEMO_PASSWORD, "https://evil.example/").await.unwrap();
    assert_eq!(res.headers()["location"], "/", "no open redirect");
    let res = send("wrong", "/clusters").await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("/login?") && location.contains("__err="), "{location}");
    let page = anon.get(&location).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Wrong username or password."), "the login page shows the error");
}

/// Who may call an endpoint (past the authorisation check).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Access {
    /// Anyone; anonymous callers get `null` (the navigation's counts on the login page).
    Open,
    /// Any signed-in user.
    Read,
    /// Deployers and admins.
    Deploy,
    /// Approvers and admins.
    Approve,
    Admin,
}

/// (endpoint, arguments, who may call it)
type Endpoint = (&'static str, Vec<(&'static str, &'static str)>, Access);

/// Every server function as anonymous, viewer, approver, deployer and admin.
#[tokio::test]
async fn authorisation_matrix() {
    use Access::*;
    let app = common::spawn_app().await;
    let mut clients = vec![("anonymous", reqwest::Client::new())];
    for user in ["carol", "bob", "alice", "admin"] {
        clients.push((user, client_with_cookie(&login(&app.address, user, DEMO_PASSWORD).await.unwrap())));
    }
    let endpoints: Vec<Endpoint> = vec![
        ("list-clusters", vec![], Read),
        ("get-cluster", vec![("name", "default")], Read),
        ("list-daemons", vec![("cluster", "default")], Read),
        ("get-daemon", vec![("cluster", "default"), ("name", "nope")], Read),
        ("deploy-options", vec![("cluster", "default")], Read),
        ("task-definition-form-options", vec![], Read),
        ("list-task-definitions", vec![], Read),
        ("get-task-definition", vec![("family", "nope"), ("revision", "1")], Read),
        ("get-task-definition-spec", vec![("family", "nope"), ("revision", "1")], Read),
        ("create-task-definition", vec![("form[family]", "")], Deploy),
        ("delete-task-definition", vec![("family", "nope"), ("revision", "1")], Deploy),
        ("deploy-daemon", vec![("form[cluster]", "")], Deploy),
        ("delete-daemon", vec![("cluster", "default"), ("name", "nope")], Deploy),
        ("list-change-requests", vec![("filter[inbox]", "all")], Read),
        ("get-change-request", vec![("id", "nope")], Read),
        ("approval-counts", vec![], Open),
        ("review-change-request", vec![("id", "nope"), ("decision", "approve"), ("comment", "")], Approve),
        ("cancel-change-request", vec![("id", "nope")], Deploy),
        ("edit-change-request", vec![("id", "nope"), ("form[cluster]", "")], Deploy),
        ("override-freeze", vec![("id", "nope"), ("reason", "an override reason")], Admin),
    ];
    let mut failures = vec![];
    for (endpoint, args, access) in &endpoints {
        for (who, http) in &clients {
            let (status, body) = app.call_with(http, endpoint, args).await;
            if *access == Open {
                if status != 200 || (*who == "anonymous") != body.is_null() {
                    failures.push(format!("{endpoint} as {who}: {status} {body}"));
                }
                continue;
            }
            let expected_ok = match (*who, access) {
                ("anonymous", _) => false,
                (_, Read | Open) => true,
                (who, Deploy) => matches!(who, "alice" | "admin"),
                (who, Approve) => matches!(who, "bob" | "admin"),
                (who, Admin) => who == "admin",
            };
            let ok = match (expected_ok, *who) {
                (false, "anonymous") => status == 401,
                (false, _) => status == 403,
                (true, _) => status != 401 && status != 403 && status < 500,
            };
            if !ok {
                failures.push(format!("{endpoint} as {who}: {status} {body}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn writes_are_audited() {
    let app = common::spawn_app().await;
    let arn = app.register("audited", "busybox", "0.25", "0.25").await;
    let (status, _) = app.call("delete-task-definition", &[("family", "audited"), ("revision", "1")]).await;
    assert_eq!(status, 200);
    let log = audit::recent(&app.state.db, 100).await.unwrap();
    let create = log.iter().find(|e| e.action == "task_definition.create").expect("create audited");
    assert_eq!(
        (create.actor.as_str(), create.target.as_str(), create.ip.as_str()),
        ("admin", arn.as_str(), "127.0.0.1")
    );
    // Deleting a revision is a change request (executed at once: no approval needed).
    let delete = log.iter().find(|e| e.action == "change.request").expect("delete audited");
    let detail: Value = serde_json::from_str(&delete.detail).unwrap();
    assert_eq!(
        (detail["kind"].as_str(), detail["family"].as_str()),
        (Some("delete_revision"), Some("audited"))
    );
}

#[tokio::test]
async fn demo_accounts_can_be_switched_off() {
    let mut config = Config::for_tests(&common::fresh_sqlite_url());
    config.demo_users = Toggle::Off;
    config.admin_password = Some(server::config::Secret::parse("chosen-admin-pw").unwrap());
    let app = server::startup::Application::build(config).await.unwrap();
    let address = format!("http://{}", app.address());
    tokio::spawn(app.run_until_stopped());
    assert_eq!(login(&address, "alice", DEMO_PASSWORD).await, Err(401));
    assert_eq!(login(&address, "admin", DEMO_PASSWORD).await, Err(401));
    assert!(login(&address, "admin", "chosen-admin-pw").await.is_ok());
}
