//! Identity and access: login and logout, cookies, rate limiting, expiry, forged sessions,
//! the cross-origin check, the audit log and the authorisation matrix of every server function.
//! The storage parts run on SQLite and, through `scripts/with-postgres.sh`, on PostgreSQL.

use serde_json::Value;
use server::{
    auth::{audit, sessions},
    config::Toggle,
};

use crate::helpers::{
    client_with_cookie, client_without_origin, login, serde_urlencoded, Engine, TestApp, DEMO_PASSWORD,
};

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
    req.body(serde_urlencoded(&[("username", user), ("password", password)])).send().await.unwrap()
}

async fn actions(app: &TestApp) -> Vec<(String, String, String)> {
    audit::recent(&app.state.services.db, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.actor, e.ip))
        .collect()
}

async fn login_logout_and_audit(engine: Engine) {
    let app = TestApp::on(engine).await;
    let cookie = login(&app.address, "alice", DEMO_PASSWORD).await.expect("alice signs in");
    let alice = client_with_cookie(&cookie);
    let me = app.whoami(&alice).await;
    assert_eq!(me["username"], "alice");
    assert_eq!(me["teams"], serde_json::json!([["platform", "deployer"]]));

    // A new session at every login.
    let again = login(&app.address, "alice", DEMO_PASSWORD).await.unwrap();
    assert_ne!(cookie, again, "session id rotates at login");

    // The table keeps only the token's hash.
    let token = cookie.trim_start_matches("portal_session=");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT id FROM sessions").fetch_all(app.state.services.db.pool()).await.unwrap();
    assert!(!stored.iter().any(|s| s == token), "token stored in clear");
    assert!(stored.contains(&sessions::hash_token(token)));

    // Logout deletes the session: the cookie no longer works.
    let (status, _) = app.call_with(&alice, "logout", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(app.whoami(&alice).await, Value::Null);
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

async fn rate_limit_and_expiry(engine: Engine) {
    let app = TestApp::on(engine).await;
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
    assert_eq!(app.whoami(&carol).await["username"], "carol");
    let id = sessions::hash_token(cookie.trim_start_matches("portal_session="));
    let idle = server::auth::now_ms() - sessions::IDLE_MS - 1000;
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(idle)
        .bind(&id)
        .execute(app.state.services.db.pool())
        .await
        .unwrap();
    assert_eq!(app.call_with(&carol, "list-clusters", &[]).await.0, 401, "idle session refused");

    let cookie = login(&app.address, "carol", DEMO_PASSWORD).await.unwrap();
    let carol = client_with_cookie(&cookie);
    let id = sessions::hash_token(cookie.trim_start_matches("portal_session="));
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2")
        .bind(server::auth::now_ms() - 1)
        .bind(&id)
        .execute(app.state.services.db.pool())
        .await
        .unwrap();
    assert_eq!(app.call_with(&carol, "list-clusters", &[]).await.0, 401, "expired session refused");
}

#[tokio::test]
async fn cookie_flags() {
    let app = TestApp::on(Engine::Sqlite).await;
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
    let app = TestApp::on(Engine::Sqlite).await;
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
    let app = TestApp::on(Engine::Sqlite).await;
    // Only the headers each case sets (not the test client's default `Origin`).
    let session = client_without_origin(&app.cookie);
    let post = |origin: Option<&'static str>, referer: Option<&'static str>| {
        let mut req = session
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
    // Same origin: allowed; no header at all with a session: refused (see
    // `session_posts_must_name_their_origin`).
    let own: &'static str = Box::leak(app.address.clone().into_boxed_str());
    assert_eq!(post(Some(own), None).await.unwrap().status(), 200);
    assert_eq!(post(None, None).await.unwrap().status(), 403);
    // Behind a reverse proxy that rewrote Host, the forwarded host counts.
    let res = session
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
    let app = TestApp::on(Engine::Sqlite).await;
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
    let app = TestApp::on(Engine::Sqlite).await;
    let anon = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let send = |password: &'static str, next: &'static str| {
        anon.post(format!("{}/api/login", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html")
            .header("referer", format!("{}/login?next=%2Fclusters", app.address))
            .body(serde_urlencoded(&[("username", "alice"), ("password", password), ("next", next)]))
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
    let app = TestApp::on(Engine::Sqlite).await;
    let mut clients = vec![("anonymous", reqwest::Client::new())];
    for user in ["carol", "bob", "alice", "admin"] {
        clients.push((user, app.as_user(user).await));
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
    let app = TestApp::on(Engine::Sqlite).await;
    let arn = app.register("audited", "busybox", "0.25", "0.25").await;
    let (status, _) = app.call("delete-task-definition", &[("family", "audited"), ("revision", "1")]).await;
    assert_eq!(status, 200);
    let log = audit::recent(&app.state.services.db, 100).await.unwrap();
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
    let app = TestApp::on(Engine::Sqlite)
        .settings(|c| {
            c.demo_users = Toggle::Off;
            c.admin_password = Some(server::config::Secret::parse("chosen-admin-pw").unwrap());
        })
        .signed_out()
        .await;
    let address = app.address.clone();
    assert_eq!(login(&address, "alice", DEMO_PASSWORD).await, Err(401));
    assert_eq!(login(&address, "admin", DEMO_PASSWORD).await, Err(401));
    assert!(login(&address, "admin", "chosen-admin-pw").await.is_ok());
}

/// One login attempt from its own client; the status. `forwarded_for` is the client address a
/// trusted proxy reports (the app under test trusts 127.0.0.1 when it is given).
async fn attempt(address: String, user: String, password: String, forwarded_for: Option<String>) -> u16 {
    let mut req = reqwest::Client::new()
        .post(format!("{address}/api/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json");
    if let Some(ip) = forwarded_for {
        req = req.header("x-forwarded-for", ip);
    }
    req.body(serde_urlencoded(&[("username", &user), ("password", &password)]))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn password_checks(app: &TestApp) -> u64 {
    app.state.services.accounts.login.password_checks.load(std::sync::atomic::Ordering::SeqCst)
}

async fn login_limit_holds_under_concurrency(engine: Engine) {
    use server::auth::rate_limit::{MAX_PER_ACCOUNT, MAX_PER_ADDRESS};
    let app = TestApp::on(engine).await;

    // 40 wrong passwords for one account at once: each is counted before its password is
    // checked, so at most the allowed number get that far.
    let before = password_checks(&app);
    let tries: Vec<_> = (0..40)
        .map(|_| tokio::spawn(attempt(app.address.clone(), "bob".into(), "wrong".into(), None)))
        .collect();
    let mut statuses = vec![];
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    let checks = password_checks(&app) - before;
    let wrong = statuses.iter().filter(|s| **s == 401).count() as u64;
    let limited = statuses.iter().filter(|s| **s == 429).count() as u64;
    assert!(checks <= MAX_PER_ACCOUNT as u64, "{engine:?}: {checks} passwords checked");
    assert_eq!((wrong, wrong + limited), (checks, 40), "{engine:?}: {statuses:?}");
    assert!(checks >= 1, "{engine:?}: some attempt got through");

    // 40 wrong passwords for 40 accounts from one address: the address's allowance caps them.
    let before = password_checks(&app);
    let tries: Vec<_> = (0..40)
        .map(|i| tokio::spawn(attempt(app.address.clone(), format!("user{i}"), "wrong".into(), None)))
        .collect();
    for t in tries {
        let status = t.await.unwrap();
        assert!(status == 401 || status == 429, "{status}");
    }
    let checks = password_checks(&app) - before;
    // The address already holds bob's failures.
    assert!(
        checks + (MAX_PER_ACCOUNT as u64).min(wrong) <= MAX_PER_ADDRESS as u64,
        "{engine:?}: {checks} passwords checked"
    );
    let stored: i64 = sqlx::query_scalar("SELECT MAX(count) FROM login_attempts")
        .fetch_one(app.state.services.db.pool())
        .await
        .unwrap();
    assert!(stored <= MAX_PER_ADDRESS, "{engine:?}: a count of {stored}");
}

async fn lockout_is_per_account_and_address(engine: Engine) {
    // The test client plays a proxy that reports the browsers' addresses.
    let app = TestApp::on(engine).trusted_proxies("127.0.0.1").await;
    let try_as = |password: &str, from: &str| {
        attempt(app.address.clone(), "bob".into(), password.into(), Some(from.into()))
    };
    for _ in 0..5 {
        assert_eq!(try_as("wrong", "203.0.113.7").await, 401);
    }
    assert_eq!(
        try_as(DEMO_PASSWORD, "203.0.113.7").await,
        429,
        "{engine:?}: the attacker's address is locked"
    );
    assert_eq!(try_as(DEMO_PASSWORD, "198.51.100.9").await, 200, "{engine:?}: bob elsewhere is not");
    assert!(actions(&app)
        .await
        .iter()
        .any(|(a, u, ip)| a == "login.refused" && u == "bob" && ip == "203.0.113.7"));

    // IPv6 addresses count by their /64: another address in it is the same attacker.
    for _ in 0..5 {
        assert_eq!(try_as("wrong", "2001:db8:1:2::1").await, 401);
    }
    assert_eq!(try_as(DEMO_PASSWORD, "2001:db8:1:2:ffff::9").await, 429, "{engine:?}: same /64");
    assert_eq!(try_as(DEMO_PASSWORD, "2001:db8:1:3::1").await, 200, "{engine:?}: another /64");

    // Successful logins do not use up an address's allowance (an office behind one NAT).
    for _ in 0..25 {
        assert_eq!(try_as(DEMO_PASSWORD, "192.0.2.44").await, 200, "{engine:?}");
    }
}

/// A POST that carries the session cookie but names no origin: refused, as no page of the
/// portal would send it; the same with `Origin` or `Referer` of the portal passes.
#[tokio::test]
async fn session_posts_must_name_their_origin() {
    let app = TestApp::on(Engine::Sqlite).await;
    let no_origin = client_without_origin(&app.cookie);
    let post = |http: &reqwest::Client, header: Option<(&'static str, String)>| {
        let mut req = http
            .post(format!("{}/api/list-clusters", app.address))
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some((k, v)) = header {
            req = req.header(k, v);
        }
        req.send()
    };
    let res = post(&no_origin, None).await.unwrap();
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "origin_required", "{body}");
    assert_eq!(post(&no_origin, Some(("origin", app.address.clone()))).await.unwrap().status(), 200);
    let referer = format!("{}/daemons", app.address);
    assert_eq!(post(&no_origin, Some(("referer", referer))).await.unwrap().status(), 200);
    // Reads need no origin; nor do posts without a session (signing in, API clients).
    let res = no_origin.get(format!("{}/daemons", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(post(&reqwest::Client::new(), None).await.unwrap().status(), 401);
}

/// The emulator's control API through the portal: off by default; when on, for admins with a
/// session only, and environment values never leave it.
async fn sim_control_matrix(engine: Engine) {
    // Off (the default): not there, even for an admin.
    let off = TestApp::on(engine).await;
    let res = off.http.get(format!("{}/_sim/clock", off.address)).send().await.unwrap();
    assert_eq!(res.status(), 404, "{engine:?}: off by default");
    let res = off.http.post(format!("{}/_sim/reset", off.address)).send().await.unwrap();
    assert_eq!(res.status(), 404);

    let app = TestApp::on(engine).sim_control().await;
    let (_, token) = app
        .call(
            "create-api-token",
            &[("form[name]", "ops"), ("form[expires_days]", "1"), ("form[scope][0]", "admin")],
        )
        .await;
    let mut headers = reqwest::header::HeaderMap::new();
    let bearer = format!("Bearer {}", token["secret"].as_str().expect("secret"));
    headers.insert(reqwest::header::AUTHORIZATION, bearer.parse().unwrap());
    let admin_token = reqwest::Client::builder().default_headers(headers).build().unwrap();
    let mut clients = vec![("anonymous", reqwest::Client::new(), 401), ("admin token", admin_token, 403)];
    for user in ["carol", "bob", "alice"] {
        clients.push((user, app.as_user(user).await, 403));
    }
    clients.push(("admin", app.as_admin(), 200));
    let calls: [(&str, &str, Option<Value>); 6] = [
        ("GET", "/_sim/clock", None),
        ("GET", "/_sim/state", None),
        ("GET", "/_sim/alarms", None),
        ("POST", "/_sim/alarms/matrix-alarm", Some(serde_json::json!({"state": "OK"}))),
        ("POST", "/_sim/faults", Some(serde_json::json!({"throttleRate": 0.0}))),
        ("POST", "/_sim/clock/advance", Some(serde_json::json!({"seconds": 1}))),
    ];
    let mut failures = vec![];
    for (method, path, body) in &calls {
        for (who, http, want) in &clients {
            let url = format!("{}{path}", app.address);
            let mut req = match *method {
                "GET" => http.get(url),
                _ => http.post(url).header("origin", &app.address),
            };
            if let Some(b) = body {
                req = req.json(b);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            if status != *want {
                failures.push(format!("{method} {path} as {who}: {status} {}", res.text().await.unwrap()));
            }
        }
    }
    assert!(failures.is_empty(), "{engine:?}: {failures:#?}");
    let res = app.http.get(format!("{}/_sim/alarms", app.address)).send().await.unwrap();
    let alarms = res.text().await.unwrap();
    assert!(alarms.contains("matrix-alarm"), "the admin's POST reached the emulator: {alarms}");

    // The state dump has no environment values, even of a definition that has some.
    let (status, body) = app
        .call(
            "create-task-definition",
            &[
                ("form[family]", "env-secret"),
                ("form[execution_role]", "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"),
                ("form[containers][0][name]", "agent"),
                ("form[containers][0][image]", "busybox"),
                ("form[containers][0][essential]", "on"),
                ("form[containers][0][cpu]", "0.25"),
                ("form[containers][0][memory]", "0.25"),
                ("form[containers][0][env][0][key]", "API_KEY"),
                ("form[containers][0][env][0][value]", "sim-dump-s3cret"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let dump =
        app.http.get(format!("{}/_sim/state", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(dump.contains("\"clusters\""), "{dump}");
    assert!(!dump.contains("sim-dump-s3cret"), "{engine:?}: an environment value in the dump");
}

/// Security headers on a page, a server function's answer, an `/api/v1` answer, a refusal and a
/// static file.
#[tokio::test]
async fn security_headers_are_on_every_answer() {
    // A site of its own with one static file.
    let site = std::env::temp_dir().join(format!("daemon-portal-site-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    let probe = "probe.css";
    std::fs::write(site.join("pkg").join(probe), "body{}").unwrap();
    let root = site.clone();
    let app = TestApp::on(Engine::Sqlite).settings(move |c| c.site_root = root).await;
    let answers = [
        ("page", app.http.get(format!("{}/daemons", app.address)).send().await.unwrap()),
        ("login page", reqwest::get(format!("{}/login", app.address)).await.unwrap()),
        (
            "server function",
            app.http
                .post(format!("{}/api/list-clusters", app.address))
                .header("content-type", "application/x-www-form-urlencoded")
                .send()
                .await
                .unwrap(),
        ),
        ("api v1", app.http.get(format!("{}/api/v1/me", app.address)).send().await.unwrap()),
        ("refusal", reqwest::get(format!("{}/api/v1/me", app.address)).await.unwrap()),
        ("static file", reqwest::get(format!("{}/pkg/{probe}", app.address)).await.unwrap()),
        ("health", reqwest::get(format!("{}/healthz", app.address)).await.unwrap()),
    ];
    let _ = std::fs::remove_dir_all(&site);
    for (what, res) in &answers {
        let h = res.headers();
        let get = |name: &str| h.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let csp = get("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp:?}");
        assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("default-src 'self'"), "{what}: {csp}");
        assert_eq!(get("x-frame-options"), "DENY", "{what}");
        assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(get("referrer-policy"), "same-origin", "{what}");
    }
    assert_eq!(answers[5].1.status(), 200, "the static file was served");
    assert_eq!(answers[4].1.status(), 401);
}

/// `Secure` on every cookie when the portal is configured as HTTPS (`PORTAL_PUBLIC_URL`) or a
/// trusted proxy says the request came over HTTPS.
#[tokio::test]
async fn cookies_are_secure_over_https() {
    let set_cookies = |res: &reqwest::Response| -> Vec<String> {
        res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect()
    };
    let app =
        TestApp::on(Engine::Sqlite).settings(|c| c.public_url = Some("https://portal.example".into())).await;
    let res = raw_login(&app, "alice", DEMO_PASSWORD, &[]).await;
    let cookies = set_cookies(&res);
    assert!(!cookies.is_empty() && cookies.iter().all(|c| c.contains("; Secure")), "{cookies:?}");
    // The new token's secret rides in a cookie on a plain form post: Secure too.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/api/create-api-token", app.address))
        .header("cookie", &app.cookie)
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
    let cookies = set_cookies(&res);
    let token = cookies.iter().find(|c| c.starts_with("portal_new_token=")).expect("hand-over cookie");
    assert!(token.contains("; Secure"), "{token}");

    // Behind a trusted proxy that says https.
    let app = TestApp::on(Engine::Sqlite).trusted_proxies("127.0.0.1").await;
    let res = raw_login(&app, "alice", DEMO_PASSWORD, &[("x-forwarded-proto", "https")]).await;
    assert!(set_cookies(&res).iter().all(|c| c.contains("; Secure")));
    let res = raw_login(&app, "alice", DEMO_PASSWORD, &[]).await;
    assert!(set_cookies(&res).iter().all(|c| !c.contains("Secure")), "plain HTTP");
}

on_both!(
    login_logout_and_audit,
    rate_limit_and_expiry,
    login_limit_holds_under_concurrency,
    lockout_is_per_account_and_address,
    sim_control_matrix
);
