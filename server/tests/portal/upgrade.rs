//! A database made by the per-engine migrations of release 76b2b59 (kept as a fixture in
//! `tests/fixtures/legacy_migrations/`, exactly as that release embedded them), with data in
//! every table, is carried over to the one migration set: every row survives, the integer ids
//! become text that keeps their order, references still resolve, and the portal shows the old
//! requests and history (pages, `/api/v1`, an old session, an old API token, an old cursor).
use std::{collections::BTreeMap, path::Path};

use crate::helpers::{client_with_cookie, Engine, TestApp, DEMO_PASSWORD};
use app::{domain::history::legacy_id, services::audit::query::AuditFilter};
use server::{
    auth::sessions::hash_token,
    config::DatabaseUrl,
    db::Db,
    history::{self, PageAt, RolloutFilter},
};
use sqlx::{any::AnyPoolOptions, migrate::Migrator, AnyPool, Executor};

/// Every table of 0001–0010.
const TABLES: [&str; 20] = [
    "portal_meta",
    "users",
    "teams",
    "memberships",
    "sessions",
    "login_attempts",
    "audit_log",
    "ownership",
    "policies",
    "freeze_windows",
    "change_requests",
    "request_reviews",
    "request_events",
    "rollouts",
    "rollout_progress",
    "daemon_watch",
    "notifications",
    "worker_leases",
    "api_tokens",
    "team_roles",
];

const DONE: &str = "0190f1c2-0000-4000-8000-00000000d0e1";
const PENDING: &str = "0190f1c2-0000-4000-8000-00000000beef";
const DEPLOYMENT: &str = "arn:aws:ecs:us-east-1:123456789012:daemon-deployment/prod/agent/d-legacy";
const SESSION_TOKEN: &str = "abababababababababababababababababababababababababababababababab";
const API_TOKEN: &str = "dpt_cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";
/// Identity rows per table: ids 9, 10 and 11 share a timestamp, so only a conversion that
/// keeps numeric order (10 after 9, not "10" < "9") passes the ordering checks.
const N: i64 = 11;

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// When legacy row `i` (1-based) happened: one minute apart, the last three together.
fn at(base: i64, i: i64) -> i64 {
    base + i.min(9) * 60_000
}

/// The old release's schema, applied by sqlx's migrator from the fixture files.
async fn legacy_database(engine: Engine, url: &str) -> AnyPool {
    sqlx::any::install_default_drivers();
    let driver_url = match engine {
        Engine::Sqlite => format!("{url}?mode=rwc"),
        Engine::Postgres => url.to_string(),
    };
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if matches!(engine, Engine::Sqlite) {
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                }
                Ok(())
            })
        })
        .connect(&driver_url)
        .await
        .unwrap();
    let engine = match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy_migrations").join(engine);
    Migrator::new(dir).await.unwrap().run(&pool).await.unwrap();
    pool
}

/// Runs one statement with text and integer binds (`i:` prefix marks an integer).
async fn exec(pool: &AnyPool, sql: &str, binds: &[&str]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = match b.strip_prefix("i:") {
            Some(n) => q.bind(n.parse::<i64>().unwrap()),
            None => q.bind(b.to_string()),
        };
    }
    q.execute(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// What the old release would have written, in every table.
async fn fill(pool: &AnyPool, base: i64) {
    let t = |i: i64| format!("i:{}", at(base, i));
    let hash = server::auth::password::hash(DEMO_PASSWORD).unwrap();
    exec(
        pool,
        "INSERT INTO portal_meta (key, value, updated_at) VALUES ($1, $2, $3)",
        &["first_started_at", "1", &t(0)],
    )
    .await;
    for (id, name, admin) in
        [("u-admin", "admin", "i:1"), ("u-alice", "alice", "i:0"), ("u-bob", "bob", "i:0")]
    {
        exec(
            pool,
            "INSERT INTO users (id, username, password_hash, is_admin, created_at, email) VALUES ($1, $2, $3, $4, $5, $6)",
            &[id, name, &hash, admin, &t(0), &format!("{name}@example.com")],
        )
        .await;
    }
    exec(pool, "INSERT INTO teams (id, name) VALUES ($1, $2)", &["t-platform", "platform"]).await;
    exec(
        pool,
        "INSERT INTO memberships (user_id, team_id, role) VALUES ($1, $2, $3)",
        &["u-alice", "t-platform", "deployer"],
    )
    .await;
    exec(
        pool,
        "INSERT INTO memberships (user_id, team_id, role) VALUES ($1, $2, $3)",
        &["u-bob", "t-platform", "approver"],
    )
    .await;
    let soon = format!("i:{}", now() + 3_600_000);
    exec(
        pool,
        "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&hash_token(SESSION_TOKEN), "u-alice", &format!("i:{}", now()), &format!("i:{}", now()), &soon, "10.0.0.7"],
    )
    .await;
    exec(
        pool,
        "INSERT INTO login_attempts (key, window_start, count) VALUES ($1, $2, $3)",
        &["ip:10.0.0.9", &t(1), "i:2"],
    )
    .await;
    for i in 1..=N {
        exec(
            pool,
            "INSERT INTO audit_log (at, actor, ip, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&t(i), "admin", "10.0.0.1", "policy.update", "prod", &format!("{{\"n\":{i}}}")],
        )
        .await;
    }
    exec(
        pool,
        "INSERT INTO ownership (kind, name, team_id) VALUES ($1, $2, $3)",
        &["daemon", "prod/agent", "t-platform"],
    )
    .await;
    exec(
        pool,
        "INSERT INTO ownership (kind, name, team_id) VALUES ($1, $2, $3)",
        &["family", "agent", "t-platform"],
    )
    .await;
    exec(
        pool,
        "INSERT INTO policies (id, cluster, capacity_provider, approvals_required, approver_teams, \
         allow_self_approval, expiry_hours, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &["p-prod", "prod", "", "i:1", "[\"platform\"]", "i:0", "i:72", &t(0), "admin"],
    )
    .await;
    exec(
        pool,
        "INSERT INTO freeze_windows (id, cluster, kind, weekdays, start_minute, end_minute, reason, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &["f-weekend", "prod", "weekly", "[5,6]", "i:0", "i:1439", "weekend", "admin", &t(0)],
    )
    .await;
    let policy = r#"{"approvals_required":1,"approver_teams":["platform"],"allow_self_approval":false,"expiry_hours":72,"source":"cluster prod: 1 approval from platform"}"#;
    let input = r#"{"operation":"DeleteDaemon","input":{"daemonArn":"arn:aws:ecs:us-east-1:123456789012:daemon/prod/agent"}}"#;
    for (id, state, arn, executed, finished, baseline) in [
        (DONE, "succeeded", DEPLOYMENT, t(1), t(N), Some("")),
        (PENDING, "pending", "", "i:0".to_string(), "i:0".to_string(), None),
    ] {
        exec(
            pool,
            "INSERT INTO change_requests (id, kind, cluster, daemon, family, from_revision, to_revision, \
             capacity_providers, team, requester, summary, input, diff, state, version, policy, approvals_required, \
             created_at, updated_at, expires_at, executed_at, finished_at, deployment_arn, outcome, progress) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
             $22, $23, $24, $25)",
            &[
                id,
                "delete_daemon",
                "prod",
                "agent",
                "agent",
                "agent:3",
                "",
                "[\"mi-prod-a\"]",
                "platform",
                "alice",
                &format!("Delete daemon prod/agent ({state})"),
                input,
                "",
                state,
                "i:1",
                policy,
                "i:1",
                &t(0),
                &t(N),
                &soon,
                &executed,
                &finished,
                arn,
                if state == "succeeded" { "SUCCESSFUL" } else { "" },
                if state == "succeeded" { "i:100" } else { "i:0" },
            ],
        )
        .await;
        if let Some(b) = baseline {
            exec(pool, "UPDATE change_requests SET baseline_deployment_arn = $1 WHERE id = $2", &[b, id])
                .await;
        }
    }
    exec(
        pool,
        "INSERT INTO request_reviews (request_id, reviewer, version, decision, comment, at, approver_teams, approver_admin) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[DONE, "bob", "i:1", "approve", "lgtm", &t(1), "[\"platform\"]", "i:0"],
    )
    .await;
    for i in 1..=N {
        exec(
            pool,
            "INSERT INTO request_events (request_id, at, actor, kind, detail) VALUES ($1, $2, $3, $4, $5)",
            &[DONE, &t(i), "worker", "progress", &format!("event {i}")],
        )
        .await;
    }
    for i in 1..=N {
        let (request, source, arn) =
            if i == 1 { (DONE, "portal", DEPLOYMENT) } else { ("", "out_of_band", "") };
        exec(
            pool,
            "INSERT INTO rollouts (request_id, source, kind, cluster, daemon, team, requester, approvers, from_revision, \
             to_revision, diff, deployment_arn, status, reason, started_at, ended_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            &[
                request,
                source,
                "update",
                "prod",
                "agent",
                "platform",
                "alice",
                "bob",
                &format!("agent:{i}"),
                &format!("agent:{}", i + 1),
                "image: a → b",
                arn,
                "SUCCESSFUL",
                "",
                &t(i),
                &format!("i:{}", at(base, i) + 30_000),
            ],
        )
        .await;
    }
    exec(
        pool,
        "INSERT INTO rollout_progress (request_id, at, status, percent, on_target, total) VALUES ($1, $2, $3, $4, $5, $6)",
        &[DONE, &t(2), "IN_PROGRESS", "i:50", "i:1", "i:2"],
    )
    .await;
    exec(
        pool,
        "INSERT INTO daemon_watch (daemon_arn, cluster, daemon, last_deployment_arn, checked_at) VALUES ($1, $2, $3, $4, $5)",
        &["arn:aws:ecs:us-east-1:123456789012:daemon/prod/agent", "prod", "agent", DEPLOYMENT, &t(N)],
    )
    .await;
    for (i, sent) in [(1, t(2)), (2, "i:0".to_string())] {
        exec(
            pool,
            "INSERT INTO notifications (event, payload, created_at, sent_at, attempts) VALUES ($1, $2, $3, $4, $5)",
            &["request.executed", &format!("{{\"n\":{i}}}"), &t(i), &sent, "i:1"],
        )
        .await;
    }
    exec(
        pool,
        "INSERT INTO worker_leases (name, owner, until) VALUES ($1, $2, $3)",
        &["drift", "old-replica", &t(0)],
    )
    .await;
    exec(
        pool,
        "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, scope, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            "tok-1",
            "u-alice",
            "ci",
            &hash_token(API_TOKEN),
            &API_TOKEN[..12],
            r#"{"admin":false,"teams":[["platform","deployer"]]}"#,
            &format!("i:{}", now()),
            &soon,
        ],
    )
    .await;
    exec(
        pool,
        "INSERT INTO team_roles (team_id, role_arn, granted_by, granted_at) VALUES ($1, $2, $3, $4)",
        &["t-platform", "arn:aws:iam::123456789012:role/agent", "admin", &t(0)],
    )
    .await;
}

async fn counts(pool: &AnyPool) -> BTreeMap<&'static str, i64> {
    let mut out = BTreeMap::new();
    for table in TABLES {
        let n: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(pool).await.unwrap();
        out.insert(table, n);
    }
    out
}

async fn ids(pool: &AnyPool, table: &str) -> Vec<String> {
    sqlx::query_scalar(&format!("SELECT id FROM {table} ORDER BY id")).fetch_all(pool).await.unwrap()
}

async fn carried_over(engine: Engine) {
    let url = engine.fresh_url().await;
    let base = 1_790_000_000_000;
    let legacy = legacy_database(engine, &url).await;
    fill(&legacy, base).await;
    let before = counts(&legacy).await;
    assert!(before.values().all(|n| *n > 0), "every table has data: {before:?}");
    legacy.close().await;

    // The new release starts on it.
    let db = Db::connect(&DatabaseUrl::parse(&url).unwrap()).await.expect("carried forward");
    assert_eq!(counts(db.pool()).await, before, "every row survives");
    let want: Vec<String> = (1..=N).map(legacy_id).collect();
    for table in ["audit_log", "request_events", "rollouts"] {
        assert_eq!(ids(db.pool(), table).await, want, "{table}: ids carried over in order");
    }
    assert_eq!(ids(db.pool(), "notifications").await, want[..2]);

    // The ledger now names the new files, so the migrator accepts it and a restart is a no-op.
    let ledger: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
            .fetch_all(db.pool())
            .await
            .unwrap();
    let expected: Vec<(i64, Vec<u8>)> =
        db.migrator().iter().map(|m| (m.version, m.checksum.to_vec())).collect();
    assert_eq!(ledger, expected);
    db.close().await;
    let db = Db::connect(&DatabaseUrl::parse(&url).unwrap()).await.expect("second start");
    assert_eq!(counts(db.pool()).await, before);

    // Timeline and keyset order are the old numeric order (9, 10, 11 share a timestamp).
    let events = server::changes::store::events(&db, DONE).await.unwrap();
    let details: Vec<String> = events.iter().map(|e| e.detail.clone()).collect();
    assert_eq!(details, (1..=N).map(|i| format!("event {i}")).collect::<Vec<_>>());
    let page = history::list_rollouts(&db, &RolloutFilter::default(), PageAt::First, 4).await.unwrap();
    assert_eq!(
        page.rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        [11, 10, 9, 8].map(legacy_id),
        "newest first, ties by id"
    );
    let older = history::list_rollouts(&db, &RolloutFilter::default(), PageAt::Older(page.older.unwrap()), 4)
        .await
        .unwrap();
    assert_eq!(older.rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), [7, 6, 5, 4].map(legacy_id));
    let audit = app::services::audit::query::list_audit(&db, &AuditFilter::default(), PageAt::First, 3)
        .await
        .unwrap();
    assert_eq!(
        audit.rows.iter().map(|r| r.detail.clone()).collect::<Vec<_>>(),
        ["{\"n\":11}", "{\"n\":10}", "{\"n\":9}"]
    );

    // References still resolve: the portal rollout's request, its reviews and its events.
    let first = history::list_rollouts(&db, &RolloutFilter::default(), PageAt::First, 100).await.unwrap();
    let portal = first.rows.iter().find(|r| r.id == legacy_id(1)).unwrap();
    assert_eq!(
        (portal.request_id.as_deref(), portal.deployment_arn.as_deref()),
        (Some(DONE), Some(DEPLOYMENT))
    );
    // Out-of-band rollouts had '' for request and deployment: now NULL; every one has ended.
    for r in first.rows.iter().filter(|r| r.id != legacy_id(1)) {
        assert_eq!((r.request_id.as_deref(), r.deployment_arn.as_deref()), (None, None), "{}", r.id);
    }
    assert!(first.rows.iter().all(|r| r.ended_at.is_some()));
    let request = server::changes::store::get(&db, DONE).await.unwrap().expect("request");
    assert_eq!(request.deployment_arn.as_deref(), Some(DEPLOYMENT));
    assert_eq!((request.executed_at, request.finished_at), (Some(at(base, 1)), Some(at(base, N))));
    // The old "none" values ('' and 0) became NULL.
    let pending = server::changes::store::get(&db, PENDING).await.unwrap().expect("pending request");
    assert_eq!((pending.deployment_arn, pending.executed_at, pending.finished_at), (None, None, None));
    assert_eq!(request.baseline_deployment_arn.as_deref(), Some(""));
    assert_eq!(request.row.approvals, 1, "bob's review still counts");

    // New rows get UUIDv7 ids that sort after every carried-over one.
    let mut r = history::NewRollout {
        source: "portal".into(),
        kind: "update".into(),
        cluster: "prod".into(),
        daemon: "agent".into(),
        status: "IN_PROGRESS".into(),
        started_at: at(base, N),
        ..Default::default()
    };
    r.requester = "alice".into();
    let new_id = history::insert_rollout(&db, &r).await.unwrap();
    assert!(new_id > legacy_id(N) && new_id.len() == 36, "{new_id}");
    let top = history::list_rollouts(&db, &RolloutFilter::default(), PageAt::First, 1).await.unwrap();
    assert_eq!(top.rows[0].id, new_id, "the same millisecond as rows 9-11, and newer");
    db.close().await;

    // The portal shows the old requests and history.
    let old = url.clone();
    let app = TestApp::on(engine).settings(move |c| c.database_url = DatabaseUrl::parse(&old).unwrap()).await;
    // Requests and rollouts from before environments now belong to the default environment.
    let pool = app.state.services.db.pool();
    for table in ["change_requests", "rollouts"] {
        let (all, claimed): (i64, i64) = sqlx::query_as(&format!(
            "SELECT COUNT(*), SUM(CASE WHEN environment = 'default' THEN 1 ELSE 0 END) FROM {table}"
        ))
        .fetch_one(pool)
        .await
        .unwrap();
        assert!(all > 0 && claimed == all, "{table}: {claimed} of {all} in the default environment");
    }
    // Policies and freeze windows from before environments hold in every environment (`*`),
    // the default one and any added later: none is less guarded than before.
    let kept = server::admin::policies::get(&app.state.services.db, "*", "prod", "").await.unwrap();
    let kept = kept.expect("the old prod policy, now for every environment").policy;
    assert_eq!((kept.approvals_required, kept.approver_teams.clone()), (1, vec!["platform".to_string()]));
    for env in ["default", "staging"] {
        let scope = app::domain::policy::Scope::new("prod", &[], &["mi-prod-a".into()]).in_environment(env);
        let p = server::admin::policies::combined_for(&app.state.services.db, scope).await.unwrap();
        assert_eq!(
            (p.source.as_str(), p.approvals_required),
            ("cluster prod: 1 approval from platform", 1),
            "{env}"
        );
    }
    let weekend = server::admin::freezes::get(&app.state.services.db, "f-weekend").await.unwrap().unwrap();
    assert_eq!((weekend.window.environment.as_str(), weekend.window.reason.as_str()), ("*", "weekend"));
    let html = app.http.get(format!("{}/history", app.address)).send().await.unwrap().text().await.unwrap();
    for i in 1..=N {
        assert!(html.contains(&format!("data-rollout-id=\"{}\"", legacy_id(i))), "row {i} on /history");
    }
    // A link kept from the old release (numeric cursor) still pages from the same row.
    let res =
        app.http.get(format!("{}/history?older={}.10", app.address, at(base, 10))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("data-rollout-id=\"{}\"", legacy_id(9))));
    assert!(!html.contains(&format!("data-rollout-id=\"{}\"", legacy_id(10))));
    let res = app.http.get(format!("{}/approvals/{DONE}", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Delete daemon prod/agent (succeeded)") && html.contains("event 11"),
        "request page"
    );
    let html = app.http.get(format!("{}/audit", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("policy.update"), "audit page shows the old entries");

    // Alice's old session and her old API token still work.
    let alice = client_with_cookie(&format!("portal_session={SESSION_TOKEN}"));
    let res = alice.get(format!("{}/approvals/{PENDING}", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200, "old session");
    assert!(res.text().await.unwrap().contains("Delete daemon prod/agent (pending)"));
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/history?cluster=prod", app.address))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "old API token");
    let body: serde_json::Value = res.json().await.unwrap();
    let shown: Vec<&str> =
        body["items"].as_array().unwrap().iter().filter_map(|r| r["id"].as_str()).collect();
    assert!(shown.contains(&legacy_id(1).as_str()) && shown.contains(&new_id.as_str()), "{body}");
}

on_both!(carried_over);

/// A database the new release made itself is left alone (and a second start too).
async fn fresh_database_is_not_converted(engine: Engine) {
    let url = engine.fresh_url().await;
    let db = Db::connect(&DatabaseUrl::parse(&url).unwrap()).await.unwrap();
    assert!(!app::services::legacy_ids::carry_forward(db.pool(), db.migrator()).await.unwrap());
    let id = history::insert_rollout(&db, &history::NewRollout { started_at: 1, ..Default::default() })
        .await
        .unwrap();
    db.close().await;
    let db = Db::connect(&DatabaseUrl::parse(&url).unwrap()).await.unwrap();
    assert_eq!(ids(db.pool(), "rollouts").await, vec![id]);
}

on_both!(fresh_database_is_not_converted);
