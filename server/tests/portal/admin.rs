//! The admin pages' server functions over HTTP, on SQLite and PostgreSQL: who may call them,
//! bad input, what the changes do (disabled users, memberships in `CurrentUser`), the audit
//! log, and the pages themselves (403 for non-admins, escaped output).
use serde_json::{json, Value};
use server::{admin::policies, auth::audit};

use crate::helpers::{login, serde_urlencoded, Engine, TestApp, DEMO_PASSWORD};

const PASSWORD: &str = "a long enough password";

/// Every admin server function, in an order in which each succeeds for an admin.
fn endpoints() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        ("admin-list-users", vec![]),
        ("admin-create-user", vec![("form[username]", "dave"), ("form[password]", PASSWORD)]),
        ("admin-reset-password", vec![("username", "dave"), ("password", "another long password")]),
        ("admin-set-user-disabled", vec![("username", "dave"), ("disabled", "true")]),
        ("admin-set-user-disabled", vec![("username", "dave"), ("disabled", "false")]),
        ("admin-set-user-admin", vec![("username", "dave"), ("admin", "true")]),
        ("admin-set-user-admin", vec![("username", "dave"), ("admin", "false")]),
        ("admin-list-teams", vec![]),
        ("admin-create-team", vec![("name", "payments")]),
        ("admin-set-membership", vec![("username", "dave"), ("team", "payments"), ("role", "deployer")]),
        ("admin-set-membership", vec![("username", "dave"), ("team", "payments"), ("role", "approver")]),
        ("admin-remove-membership", vec![("username", "dave"), ("team", "payments")]),
        ("admin-delete-team", vec![("name", "payments")]),
        ("admin-list-policies", vec![]),
        (
            "admin-save-policy",
            vec![
                ("form[cluster]", "prod"),
                ("form[capacity_provider]", "mi-prod-a"),
                ("form[approvals_required]", "2"),
                ("form[approver_teams]", "platform"),
                ("form[expiry_hours]", "24"),
            ],
        ),
        ("admin-delete-policy", vec![("cluster", "prod"), ("capacity_provider", "mi-prod-a")]),
        ("admin-list-freezes", vec![]),
        (
            "admin-save-freeze",
            vec![
                ("form[kind]", "weekly"),
                ("form[cluster]", "*"),
                ("form[weekdays][4]", "4"),
                ("form[start_time]", "22:00"),
                ("form[end_time]", "06:00"),
                ("form[reason]", "Friday nights"),
            ],
        ),
        ("admin-list-role-grants", vec![]),
        (
            "admin-grant-role",
            vec![
                ("form[team]", "platform"),
                ("form[role_arn]", "arn:aws:iam::123456789012:role/cw-agent-task"),
            ],
        ),
        (
            "admin-revoke-role",
            vec![
                ("form[team]", "platform"),
                ("form[role_arn]", "arn:aws:iam::123456789012:role/cw-agent-task"),
            ],
        ),
    ]
}

async fn authorisation_matrix(engine: Engine) {
    let app = TestApp::on(engine).await;
    let mut failures = vec![];
    let others = [
        ("anonymous", reqwest::Client::new(), 401),
        ("carol (viewer)", app.as_user("carol").await, 403),
        ("alice (deployer)", app.as_user("alice").await, 403),
        ("bob (approver)", app.as_user("bob").await, 403),
    ];
    for (endpoint, args) in endpoints() {
        for (who, http, want) in &others {
            let (status, body) = app.call_with(http, endpoint, &args).await;
            if status != *want {
                failures.push(format!("{endpoint} as {who}: {status} {body}"));
            }
        }
        let (status, body) = app.call(endpoint, &args).await;
        if status != 200 {
            failures.push(format!("{endpoint} as admin: {status} {body}"));
        }
    }
    // The freeze created last: its id is in the list; deleting it is admin-only too.
    let (_, list) = app.call("admin-list-freezes", &[]).await;
    let id = list[0]["window"]["id"].as_str().expect("freeze id").to_string();
    for (who, http, want) in &others {
        let (status, _) = app.call_with(http, "admin-delete-freeze", &[("id", &id)]).await;
        if status != *want {
            failures.push(format!("admin-delete-freeze as {who}: {status}"));
        }
    }
    let (status, body) = app.call("admin-delete-freeze", &[("id", &id)]).await;
    if status != 200 {
        failures.push(format!("admin-delete-freeze as admin: {status} {body}"));
    }
    assert!(failures.is_empty(), "{engine:?}: {failures:#?}");

    // The refused calls changed nothing: one create-user went through, the admin's.
    let log = audit::recent(&app.state.services.db, 1000).await.unwrap();
    let creates: Vec<_> = log.iter().filter(|e| e.action == "user.create").collect();
    assert_eq!(creates.len(), 1);
    assert_eq!((creates[0].actor.as_str(), creates[0].target.as_str()), ("admin", "dave"));
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "user.reset_password",
        "user.disable",
        "user.enable",
        "user.grant_admin",
        "user.revoke_admin",
        "team.create",
        "membership.add",
        "membership.change",
        "membership.remove",
        "team.delete",
        "policy.upsert",
        "policy.delete",
        "freeze.save",
        "freeze.delete",
    ] {
        assert!(actions.contains(&a), "{engine:?}: {a} not audited in {actions:?}");
    }
    let upsert = log.iter().find(|e| e.action == "policy.upsert").unwrap();
    assert_eq!(upsert.target, "prod/mi-prod-a");
    let detail: Value = serde_json::from_str(&upsert.detail).unwrap();
    assert_eq!(detail["approvals_required"], 2);
    let change = log.iter().find(|e| e.action == "membership.change").unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&change.detail).unwrap(),
        json!({"team": "payments", "role": "approver", "previous": "deployer"})
    );
}

fn field<'a>(body: &'a Value, name: &str) -> &'a str {
    body["Invalid"][name].as_str().unwrap_or_else(|| panic!("no error for {name} in {body}"))
}

async fn bad_input(engine: Engine) {
    let app = TestApp::on(engine).await;
    let long = "x".repeat(65);
    for (endpoint, args, name, message) in [
        (
            "admin-create-user",
            vec![("form[username]", ""), ("form[password]", PASSWORD)],
            "username",
            "Enter a username",
        ),
        (
            "admin-create-user",
            vec![("form[username]", long.as_str()), ("form[password]", PASSWORD)],
            "username",
            "at most 64",
        ),
        (
            "admin-create-user",
            vec![("form[username]", "<b>x</b>"), ("form[password]", PASSWORD)],
            "username",
            "`<`",
        ),
        (
            "admin-create-user",
            vec![("form[username]", "erin"), ("form[password]", "short")],
            "password",
            "at least 12",
        ),
        (
            "admin-create-user",
            vec![("form[username]", "alice"), ("form[password]", PASSWORD)],
            "username",
            "taken",
        ),
        (
            "admin-reset-password",
            vec![("username", "alice"), ("password", "short")],
            "password",
            "at least 12",
        ),
        ("admin-create-team", vec![("name", "")], "name", "Enter a team name"),
        ("admin-create-team", vec![("name", long.as_str())], "name", "at most 64"),
        ("admin-create-team", vec![("name", "x'; DROP TABLE teams; --")], "name", "not allowed"),
        ("admin-create-team", vec![("name", "platform")], "name", "already a team"),
        (
            "admin-set-membership",
            vec![("username", "nobody"), ("team", "platform"), ("role", "viewer")],
            "username",
            "no user",
        ),
        (
            "admin-set-membership",
            vec![("username", "carol"), ("team", "nope"), ("role", "viewer")],
            "team",
            "no team",
        ),
        (
            "admin-set-membership",
            vec![("username", "carol"), ("team", "platform"), ("role", "admin")],
            "role",
            "viewer, deployer or approver",
        ),
        (
            "admin-save-policy",
            vec![("form[cluster]", "prod"), ("form[approvals_required]", "11")],
            "approvals_required",
            "0 to 10",
        ),
        (
            "admin-save-policy",
            vec![("form[cluster]", "prod"), ("form[approvals_required]", "1"), ("form[expiry_hours]", "721")],
            "expiry_hours",
            "1 to 720",
        ),
        (
            "admin-save-policy",
            vec![("form[cluster]", ""), ("form[approvals_required]", "1")],
            "cluster",
            "Enter a cluster",
        ),
        (
            "admin-save-policy",
            vec![
                ("form[cluster]", "prod"),
                ("form[approvals_required]", "1"),
                ("form[approver_teams]", "<script>"),
            ],
            "approver_teams",
            "not allowed",
        ),
        (
            "admin-save-policy",
            vec![
                ("form[cluster]", "prod"),
                ("form[approvals_required]", "1"),
                ("form[approver_teams]", "platform, platfrom"),
            ],
            "approver_teams",
            "no team platfrom",
        ),
        (
            "admin-save-freeze",
            vec![
                ("form[kind]", "once"),
                ("form[cluster]", "*"),
                ("form[starts_at]", "2026-12-27 00:00"),
                ("form[ends_at]", "2026-12-24 00:00"),
                ("form[reason]", "x"),
            ],
            "ends_at",
            "after the start",
        ),
        (
            "admin-save-freeze",
            vec![
                ("form[kind]", "weekly"),
                ("form[cluster]", "*"),
                ("form[start_time]", "22:00"),
                ("form[end_time]", "06:00"),
                ("form[reason]", "x"),
            ],
            "weekdays",
            "at least one weekday",
        ),
    ] {
        let (status, body) = app.call(endpoint, &args).await;
        assert_eq!(status, 422, "{engine:?} {endpoint} {args:?}: {body}");
        assert!(field(&body, name).contains(message), "{endpoint} {name}: {body}");
    }
    let too_long = "r".repeat(501);
    let (status, body) = app
        .call(
            "admin-save-freeze",
            &[
                ("form[kind]", "weekly"),
                ("form[cluster]", "*"),
                ("form[weekdays][0]", "0"),
                ("form[start_time]", "01:00"),
                ("form[end_time]", "02:00"),
                ("form[reason]", &too_long),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(field(&body, "reason").contains("at most 500"));
    let (status, body) = app
        .call("admin-save-freeze", &[("form[kind]", "once"), ("form[cluster]", "*"), ("form[reason]", "")])
        .await;
    assert_eq!(status, 422);
    assert!(field(&body, "reason").starts_with("Enter a reason"));

    // Nothing was written by the refused calls.
    assert_eq!(policies::list(&app.state.services.db).await.unwrap().len(), 3, "only the defaults");
    let (_, teams) = app.call("admin-list-teams", &[]).await;
    assert_eq!(teams["teams"].as_array().unwrap().len(), 1, "{teams}");

    // An admin cannot lock themselves out.
    let (status, body) =
        app.call("admin-set-user-disabled", &[("username", "admin"), ("disabled", "true")]).await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = app.call("admin-set-user-admin", &[("username", "admin"), ("admin", "false")]).await;
    assert_eq!(status, 409);
    let (status, _) = app.call("admin-delete-freeze", &[("id", "../../etc")]).await;
    assert_eq!(status, 422);
    let (status, _) = app.call("admin-delete-team", &[("name", "nope")]).await;
    assert_eq!(status, 404);
}

async fn payloads_are_stored_literally_and_shown_escaped(engine: Engine) {
    let app = TestApp::on(engine).await;
    let xss = "<script>alert('x')</script>";
    let sql = "'; DROP TABLE freeze_windows; --";
    let reason = format!("{xss} {sql}");
    let (status, body) = app
        .call(
            "admin-save-freeze",
            &[
                ("form[kind]", "once"),
                ("form[cluster]", "prod"),
                ("form[starts_at]", "2026-12-24T00:00"),
                ("form[ends_at]", "2026-12-27T00:00"),
                ("form[reason]", &reason),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, list) = app.call("admin-list-freezes", &[]).await;
    assert_eq!(list[0]["window"]["reason"], reason.as_str(), "stored literally");
    assert_eq!(list[0]["description"], "Once, 2026-12-24 00:00 – 2026-12-27 00:00 UTC");

    let html =
        app.http.get(format!("{}/admin/freezes", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains(xss), "the reason is not rendered as markup");
    assert!(html.contains("&lt;script&gt;alert("), "the reason is shown escaped");
    assert!(html.contains("DROP TABLE freeze_windows"));
}

async fn accounts_take_effect(engine: Engine) {
    let app = TestApp::on(engine).await;
    // A disabled user is signed out and cannot sign in; enabled again, they can.
    let carol = app.as_user("carol").await;
    assert_eq!(app.whoami(&carol).await["username"], "carol");
    let (status, body) =
        app.call("admin-set-user-disabled", &[("username", "carol"), ("disabled", "true")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.whoami(&carol).await, Value::Null, "the session ended");
    assert!(login(&app.address, "carol", DEMO_PASSWORD).await.is_err(), "a disabled user cannot sign in");
    app.call("admin-set-user-disabled", &[("username", "carol"), ("disabled", "false")]).await;
    assert!(login(&app.address, "carol", DEMO_PASSWORD).await.is_ok());

    // Memberships change what CurrentUser says on the next request of an open session.
    let alice = app.as_user("alice").await;
    assert_eq!(app.whoami(&alice).await["teams"], json!([["platform", "deployer"]]));
    assert_eq!(app.call("admin-create-team", &[("name", "payments")]).await.0, 200);
    let app = &app;
    let set = |role: &'static str| async move {
        app.call("admin-set-membership", &[("username", "alice"), ("team", "payments"), ("role", role)]).await
    };
    assert_eq!(set("approver").await.0, 200);
    assert_eq!(
        app.whoami(&alice).await["teams"],
        json!([["payments", "approver"], ["platform", "deployer"]])
    );
    assert_eq!(set("viewer").await.0, 200);
    assert_eq!(app.whoami(&alice).await["teams"], json!([["payments", "viewer"], ["platform", "deployer"]]));
    assert_eq!(
        app.call("admin-remove-membership", &[("username", "alice"), ("team", "platform")]).await.0,
        200
    );
    assert_eq!(app.whoami(&alice).await["teams"], json!([["payments", "viewer"]]));
    // Deleting a team removes its memberships.
    assert_eq!(app.call("admin-delete-team", &[("name", "payments")]).await.0, 200);
    assert_eq!(app.whoami(&alice).await["teams"], json!([]));

    // A new user signs in with the password the admin chose; a reset replaces it and ends
    // their sessions; the admin flag shows at once.
    assert_eq!(
        app.call("admin-create-user", &[("form[username]", "dave"), ("form[password]", PASSWORD)]).await.0,
        200
    );
    let dave = app.session("dave", PASSWORD).await;
    assert_eq!(app.whoami(&dave).await["is_admin"], false);
    app.call("admin-set-user-admin", &[("username", "dave"), ("admin", "true")]).await;
    assert_eq!(app.whoami(&dave).await["is_admin"], true);
    let (status, _) =
        app.call("admin-reset-password", &[("username", "dave"), ("password", "a brand new password")]).await;
    assert_eq!(status, 200);
    assert_eq!(app.whoami(&dave).await, Value::Null, "sessions end at a reset");
    assert!(login(&app.address, "dave", PASSWORD).await.is_err());
    assert!(login(&app.address, "dave", "a brand new password").await.is_ok());
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'dave'")
        .fetch_one(app.state.services.db.pool())
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");

    // The embedded default policies are listed; a saved policy replaces the one with the same
    // cluster and provider.
    let (_, list) = app.call("admin-list-policies", &[]).await;
    let clusters: Vec<&str> =
        list.as_array().unwrap().iter().map(|p| p["policy"]["cluster"].as_str().unwrap()).collect();
    assert_eq!(clusters, ["*", "default", "prod"]);
    assert_eq!(app.call("admin-create-team", &[("name", "sre")]).await.0, 200);
    let save = |n: &'static str| async move {
        app.call(
            "admin-save-policy",
            &[
                ("form[cluster]", "prod"),
                ("form[approvals_required]", n),
                ("form[approver_teams]", "platform, sre"),
            ],
        )
        .await
    };
    assert_eq!(save("3").await.0, 200);
    assert_eq!(save("2").await.0, 200);
    let scope = app::domain::policy::Scope::new("prod", &[], &["mi-prod-a".to_string()]);
    let p = policies::combined_for(&app.state.services.db, scope).await.unwrap();
    assert_eq!(
        (p.approvals_required, p.approver_teams),
        (2, vec!["platform".to_string(), "sre".to_string()])
    );
    assert_eq!(policies::list(&app.state.services.db).await.unwrap().len(), 3);
}

#[tokio::test]
async fn admin_pages_are_for_admins() {
    let app = TestApp::on(Engine::Sqlite).await;
    let no_redirect = |cookie: Option<&str>| {
        let mut b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
        if let Some(c) = cookie {
            let mut h = reqwest::header::HeaderMap::new();
            h.insert(reqwest::header::COOKIE, c.parse().unwrap());
            b = b.default_headers(h);
        }
        b.build().unwrap()
    };
    let carol_cookie = login(&app.address, "carol", DEMO_PASSWORD).await.unwrap();
    let carol = no_redirect(Some(&carol_cookie));
    for page in ["/admin", "/admin/teams", "/admin/policies", "/admin/freezes"] {
        let res = app.http.get(format!("{}{page}", app.address)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{page}");
        let html = res.text().await.unwrap();
        // Not `contains("403")`: ids and timestamps in the page contain those digits by chance.
        assert!(
            html.contains("admin-tabs") && !html.contains("administration is for administrators"),
            "{page}"
        );

        let res = carol.get(format!("{}{page}", app.address)).send().await.unwrap();
        assert_eq!(res.status(), 403, "{page} as carol");
        let html = res.text().await.unwrap();
        assert!(html.contains("administration is for administrators"), "{page}");
        assert!(!html.contains("Create user") && !html.contains("demo-password"));

        let res = no_redirect(None).get(format!("{}{page}", app.address)).send().await.unwrap();
        assert!(res.status().is_redirection(), "{page} anonymous: {}", res.status());
    }
    // The users page lists the demo accounts; the policies page the defaults.
    let html = app.http.get(format!("{}/admin", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"data-user="carol""#) && html.contains("Create user"));
    let html =
        app.http.get(format!("{}/admin/policies", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"data-policy="prod""#) && html.contains("Approvals required"));
    // An Edit link opens the form on that policy.
    let html = app
        .http
        .get(format!("{}/admin/policies?cluster=prod&provider=", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Edit policy"), "the edit form");
    assert!(html.contains(r#"value="platform""#), "prefilled approver teams");
    // The navigation shows Administration to admins only.
    let home = |http: &reqwest::Client| {
        let http = http.clone();
        let url = format!("{}/", app.address);
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    assert!(home(&app.http).await.contains(r#"href="/admin""#));
    assert!(!home(&carol).await.contains(r#"href="/admin""#));
}

/// Without JavaScript, a form posts, and the browser comes back to the page: on success by a
/// redirect, on error with the error in the URL, shown next to the field.
#[tokio::test]
async fn plain_form_posts_come_back_to_the_page() {
    let app = TestApp::on(Engine::Sqlite).await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers({
            let mut h = reqwest::header::HeaderMap::new();
            h.insert(reqwest::header::COOKIE, app.cookie.parse().unwrap());
            h
        })
        .build()
        .unwrap();
    let post = |name: &'static str| {
        browser
            .post(format!("{}/api/admin-create-team", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html")
            .header("referer", format!("{}/admin/teams", app.address))
            .body(serde_urlencoded(&[("name", name)]))
            .send()
    };
    let res = post("payments").await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], "/admin/teams");
    let res = post("bad name!").await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("__err="), "{location}");
    let url = if location.starts_with("http") { location } else { format!("{}{location}", app.address) };
    let html = browser.get(url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("is not allowed"), "the error shows on the page");
}

on_both!(
    authorisation_matrix,
    bad_input,
    payloads_are_stored_literally_and_shown_escaped,
    accounts_take_effect
);
