//! Rollout history: the write API the worker calls, the filtered keyset read, the History page,
//! its exports, and the audit log viewer. Storage tests run on SQLite and PostgreSQL.
use std::collections::HashSet;

use server::{
    config::DatabaseUrl,
    db::Db,
    history::{self, NewRollout, PageAt, RolloutFilter},
};

use crate::helpers::{login, Engine, TestApp};

async fn db(engine: Engine) -> Db {
    let url = engine.fresh_url().await;
    Db::connect(&DatabaseUrl::parse(&url).unwrap()).await.expect("connect + migrate")
}

fn rollout(cluster: &str, daemon: &str, started_at: i64) -> NewRollout {
    NewRollout {
        request_id: Some(uuid::Uuid::new_v4().to_string()),
        source: "portal".into(),
        kind: "update".into(),
        cluster: cluster.into(),
        daemon: daemon.into(),
        team: "platform".into(),
        requester: "alice".into(),
        approvers: vec!["bob".into()],
        from_revision: "agent:1".into(),
        to_revision: "agent:2".into(),
        diff: "image: a:1 → a:2".into(),
        deployment_arn: None,
        status: "IN_PROGRESS".into(),
        reason: String::new(),
        started_at,
        environment: Some("default".into()),
    }
}

fn filter() -> RolloutFilter {
    RolloutFilter::default()
}

async fn write_api_round_trips(engine: Engine) {
    let db = db(engine).await;
    let mut r = rollout("prod", "agent", 1_000);
    r.approvers = vec!["bob".into(), "dave".into()];
    r.diff = "env:\n- A=1\n+ A=2, \"quoted\"".into();
    let id = history::insert_rollout(&db, &r).await.unwrap();
    let second = history::insert_rollout(&db, &rollout("prod", "agent", 2_000)).await.unwrap();
    assert!(second > id, "ids grow: {id} then {second}");

    history::set_deployment(&db, &id, "arn:aws:ecs:us-east-1:123:daemon-deployment/prod/x").await.unwrap();
    history::finish_rollout(&db, &id, "ROLLBACK_SUCCESSFUL", "circuit breaker: 3 tasks failed", 5_000)
        .await
        .unwrap();

    let page = history::list_rollouts(&db, &filter(), PageAt::First, 50).await.unwrap();
    assert_eq!(page.rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), vec![second, id], "newest first");
    let got = &page.rows[1];
    assert_eq!(got.approvers, vec!["bob".to_string(), "dave".to_string()]);
    assert_eq!(got.diff, r.diff);
    assert_eq!(got.deployment_arn.as_deref(), Some("arn:aws:ecs:us-east-1:123:daemon-deployment/prod/x"));
    assert_eq!(got.status, "ROLLBACK_SUCCESSFUL");
    assert_eq!(got.reason, "circuit breaker: 3 tasks failed");
    assert_eq!((got.started_at, got.ended_at), (1_000, Some(5_000)));
    assert_eq!(got.request_id, r.request_id);
    assert!(got.superseded, "a newer rollout of prod/agent exists");
    assert!(!page.rows[0].superseded, "the newest rollout of prod/agent");
    assert_eq!(page.rows[0].ended_at, None, "still running");
    assert_eq!(page.rows[0].deployment_arn, None, "no deployment yet");
    assert_eq!((page.older, page.newer), (None, None), "one page");
}

async fn ids(db: &Db, f: RolloutFilter) -> Vec<String> {
    history::list_rollouts(db, &f, PageAt::First, 1000)
        .await
        .unwrap()
        .rows
        .iter()
        .map(|r| r.id.clone())
        .collect()
}

async fn filters_each_narrow(engine: Engine) {
    let db = db(engine).await;
    let mut all = Vec::new();
    let mut add = |r: NewRollout| all.push(r);
    add(rollout("prod", "agent", 100)); // 0
    add(rollout("prod", "logs", 200)); // 1
    add(rollout("staging", "agent", 300)); // 2
    let mut r = rollout("prod", "agent", 400); // 3
    r.team = "data".into();
    r.requester = "carol".into();
    r.approvers = vec!["erin".into(), "bob_x".into()];
    r.status = "SUCCESSFUL".into();
    add(r);
    let mut r = rollout("prod", "agent", 500); // 4: out of band, nobody
    r.source = "out_of_band".into();
    r.requester = String::new();
    r.approvers = vec![];
    add(r);
    let mut r = rollout("prod", "agent", 600); // 5: approver "Bob" (case differs)
    r.requester = "dave".into();
    r.approvers = vec!["Bob".into()];
    add(r);
    let mut id = Vec::new();
    for r in &all {
        id.push(history::insert_rollout(&db, r).await.unwrap());
    }
    let f = |mut g: RolloutFilter, set: &dyn Fn(&mut RolloutFilter)| {
        set(&mut g);
        g
    };
    let pick = |ix: &[usize]| ix.iter().rev().map(|&i| id[i].clone()).collect::<Vec<_>>();

    assert_eq!(ids(&db, filter()).await, pick(&[0, 1, 2, 3, 4, 5]));
    assert_eq!(ids(&db, f(filter(), &|g| g.cluster = Some("staging".into()))).await, pick(&[2]));
    assert_eq!(ids(&db, f(filter(), &|g| g.daemon = Some("agent".into()))).await, pick(&[0, 2, 3, 4, 5]));
    assert_eq!(
        ids(
            &db,
            f(filter(), &|g| {
                g.cluster = Some("prod".into());
                g.daemon = Some("agent".into());
            })
        )
        .await,
        pick(&[0, 3, 4, 5])
    );
    assert_eq!(ids(&db, f(filter(), &|g| g.team = Some("data".into()))).await, pick(&[3]));
    assert_eq!(ids(&db, f(filter(), &|g| g.status = Some("SUCCESSFUL".into()))).await, pick(&[3]));
    // Person: requester or approver, exact and case-sensitive, no LIKE wildcards.
    assert_eq!(ids(&db, f(filter(), &|g| g.person = Some("bob".into()))).await, pick(&[0, 1, 2]));
    assert_eq!(ids(&db, f(filter(), &|g| g.person = Some("carol".into()))).await, pick(&[3]));
    assert_eq!(ids(&db, f(filter(), &|g| g.person = Some("erin".into()))).await, pick(&[3]));
    assert_eq!(ids(&db, f(filter(), &|g| g.person = Some("bob_x".into()))).await, pick(&[3]));
    assert_eq!(ids(&db, f(filter(), &|g| g.person = Some("Bob".into()))).await, pick(&[5]));
    assert_eq!(ids(&db, f(filter(), &|g| g.person = Some("dave".into()))).await, pick(&[5]));
    assert_eq!(ids(&db, f(filter(), &|g| g.person = Some("bo".into()))).await, pick(&[]));
    assert_eq!(ids(&db, f(filter(), &|g| g.person = Some("b%".into()))).await, pick(&[]));
    // From inclusive, to exclusive.
    assert_eq!(
        ids(
            &db,
            f(filter(), &|g| {
                g.from = Some(200);
                g.to = Some(500);
            })
        )
        .await,
        pick(&[1, 2, 3])
    );
    // Blank values do not filter (an empty form field).
    assert_eq!(ids(&db, f(filter(), &|g| g.cluster = Some("  ".into()))).await.len(), 6);
    // Filters combine.
    assert_eq!(
        ids(
            &db,
            f(filter(), &|g| {
                g.cluster = Some("prod".into());
                g.person = Some("bob".into());
                g.from = Some(150);
            })
        )
        .await,
        pick(&[1])
    );
}

async fn keyset_pages_neither_overlap_nor_skip(engine: Engine) {
    let db = db(engine).await;
    // 250 rows, many sharing a timestamp (groups of 7), inserted out of time order.
    let mut expected = Vec::new();
    for i in 0..250_i64 {
        let t = 1_000 + ((i * 37) % 250) / 7 * 10;
        let daemon = if i % 3 == 0 { "agent" } else { "logs" };
        let id = history::insert_rollout(&db, &rollout("prod", daemon, t)).await.unwrap();
        expected.push((t, id, daemon));
    }
    for daemon in [None, Some("agent")] {
        let mut want: Vec<(i64, String)> = expected
            .iter()
            .filter(|(_, _, d)| daemon.is_none_or(|x| x == *d))
            .map(|(t, id, _)| (*t, id.clone()))
            .collect();
        want.sort_by(|a, b| b.cmp(a));
        let f = RolloutFilter { daemon: daemon.map(str::to_string), ..filter() };

        // Older, all the way down.
        let mut seen = Vec::new();
        let mut pages = Vec::new();
        let mut at = PageAt::First;
        loop {
            let page = history::list_rollouts(&db, &f, at.clone(), 30).await.unwrap();
            assert!(page.rows.len() <= 30);
            seen.extend(page.rows.iter().map(|r| (r.started_at, r.id.clone())));
            pages.push(page.clone());
            match page.older {
                Some(c) => at = PageAt::Older(c),
                None => break,
            }
        }
        assert_eq!(seen, want, "older pages, daemon {daemon:?}: every row once, in order");
        assert_eq!(pages.len(), want.len().div_ceil(30));
        assert!(pages[0].newer.is_none(), "the first page has nothing newer");
        assert!(pages.iter().skip(1).all(|p| p.newer.is_some()));

        // Newer, all the way back up from the last page: the same pages.
        let mut back = vec![pages.last().unwrap().clone()];
        while let Some(c) = back.last().unwrap().newer.clone() {
            back.push(history::list_rollouts(&db, &f, PageAt::Newer(c), 30).await.unwrap());
        }
        back.reverse();
        let rows = |ps: &[history::RolloutPage]| {
            ps.iter().flat_map(|p| p.rows.iter().map(|r| (r.started_at, r.id.clone()))).collect::<Vec<_>>()
        };
        // Going up, the pages are cut from the other end, so compare the rows, not the pages.
        assert_eq!(rows(&back), want, "newer pages, daemon {daemon:?}");
        let unique: HashSet<_> = rows(&back).into_iter().collect();
        assert_eq!(unique.len(), want.len());
    }
}

// ---- The page, the exports and who may read them (through HTTP) ----

/// A minimal RFC 4180 reader (quoted fields with doubled quotes and line breaks), to check
/// the export parses back to what was stored.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quoted field");
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

const XSS_DAEMON: &str = "<script>alert('d')</script>";
const XSS_REQUESTER: &str = "<img src=x onerror=alert(1)>";
const XSS_REASON: &str = "\"><svg onload=alert(2)>";
const XSS_DIFF: &str = "</pre><script>alert(3)</script>";
const TRICKY: &str = "circuit breaker, \"3 tasks\" failed\nthen rolled back";

async fn seed_http(db: &Db) -> (String, String, String) {
    let mut old = rollout("prod", "agent", 1_796_083_200_000); // 2026-12-01
    old.to_revision = "agent:3".into();
    let old_id = history::insert_rollout(db, &old).await.unwrap();
    history::finish_rollout(db, &old_id, "SUCCESSFUL", "", 1_796_083_260_000).await.unwrap();

    let mut tricky = rollout("prod", "agent", 1_796_169_600_000); // 2026-12-02
    tricky.to_revision = "agent:4".into();
    let tricky_id = history::insert_rollout(db, &tricky).await.unwrap();
    history::finish_rollout(db, &tricky_id, "ROLLBACK_SUCCESSFUL", TRICKY, 1_796_169_700_000).await.unwrap();

    let mut evil = rollout("staging", XSS_DAEMON, 1_796_256_000_000); // 2026-12-03
    evil.requester = XSS_REQUESTER.into();
    evil.approvers = vec![XSS_REQUESTER.into()];
    evil.diff = XSS_DIFF.into();
    evil.source = "out_of_band".into();
    let evil_id = history::insert_rollout(db, &evil).await.unwrap();
    history::finish_rollout(db, &evil_id, "ROLLBACK_FAILED", XSS_REASON, 1_796_256_100_000).await.unwrap();
    (old_id, tricky_id, evil_id)
}

async fn page_and_exports(engine: Engine) {
    let app = TestApp::on(engine).await;
    let db = &app.state.services.db;
    let (old_id, tricky_id, evil_id) = seed_http(db).await;

    // The page: every row, the payloads escaped, the out-of-band badge, the rollback link only
    // on the superseded successful rollout.
    let res = app.http.get(format!("{}/history", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for raw in [XSS_DAEMON, XSS_REQUESTER, "<svg onload", "</pre><script>"] {
        assert!(!html.contains(raw), "unescaped {raw} in the page");
    }
    assert!(
        html.contains("&lt;script&gt;alert(&#x27;d&#x27;)&lt;/script&gt;") || html.contains("&lt;script&gt;")
    );
    assert!(html.contains("Out of band"));
    assert!(html.contains("/daemons/prod/agent/update?revision=3&amp;rollback=1"), "rollback link");
    assert!(!html.contains("revision=4&amp;rollback=1"), "no rollback link on a rolled-back rollout");
    assert!(html.contains("Export CSV") && html.contains("/history/export.csv"));

    // Filtered page: cluster + daemon is the per-daemon history.
    let html = app
        .http
        .get(format!("{}/history?cluster=prod&daemon=agent", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Rollout history of agent"));
    assert!(html.contains(&format!("data-rollout-id=\"{tricky_id}\"")));
    assert!(!html.contains(&format!("data-rollout-id=\"{evil_id}\"")), "staging row filtered out");
    assert!(html.contains("/history/export.csv?cluster=prod&amp;daemon=agent"), "exports keep the filters");

    // CSV export of a filter: the same rows as the query, and the tricky reason round-trips.
    let f = RolloutFilter { cluster: Some("prod".into()), ..filter() };
    let want: Vec<String> = ids(db, f).await;
    assert_eq!(want, vec![tricky_id.to_string(), old_id.to_string()]);
    let res = app.http.get(format!("{}/history/export.csv?cluster=prod", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let csv = parse_csv(&res.text().await.unwrap());
    let header = &csv[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(csv[1..].iter().map(|r| r[col("id")].clone()).collect::<Vec<_>>(), want);
    assert!(csv[1..].iter().all(|r| r.len() == header.len()), "every row has every column");
    assert_eq!(csv[1][col("reason")], TRICKY);
    assert_eq!(csv[1][col("status")], "ROLLBACK_SUCCESSFUL");
    assert_eq!(csv[2][col("to_revision")], "agent:3");

    // Unfiltered CSV: the XSS row's values come back verbatim (CSV is data, not HTML).
    let text = app
        .http
        .get(format!("{}/history/export.csv", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csv = parse_csv(&text);
    assert_eq!(csv.len(), 4, "header + 3 rows");
    assert_eq!(csv[1][col("daemon")], XSS_DAEMON);
    assert_eq!(csv[1][col("reason")], XSS_REASON);
    assert_eq!(csv[1][col("diff")], XSS_DIFF);

    // JSON export of a date range: only 2026-12-02.
    let res = app
        .http
        .get(format!("{}/history/export.json?from=2026-12-02&to=2026-12-02", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let json: serde_json::Value = res.json().await.unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], tricky_id);
    assert_eq!(rows[0]["reason"], TRICKY);

    // The server function: the same filters, 422 with the field on bad input.
    let (status, body) = app.call("list-history", &[("query[person]", XSS_REQUESTER)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rows"].as_array().unwrap().len(), 1);
    let (status, body) = app.call("list-history", &[("query[from]", "2026-13-01")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["Invalid"]["from"].as_str().unwrap().contains("YYYY-MM-DD"), "{body}");
    // The page with a bad filter: 422, the message next to the field.
    let res = app
        .http
        .get(format!("{}/history?from=2026-02-30", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    let error_div = html.split("id=\"f-from-error\"").nth(1).expect("the From field's error slot");
    assert!(error_div[..200.min(error_div.len())].contains("YYYY-MM-DD"), "{error_div:.200}");
    let res = app.http.get(format!("{}/history/export.csv?status=DONE", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["Invalid"]["status"].is_string(), "{body}");
}

#[tokio::test]
async fn anonymous_and_non_admin_are_refused() {
    let app = TestApp::on(Engine::Sqlite).await;
    let anon = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for path in ["/history", "/audit", "/history/export.csv", "/audit/export.json"] {
        let res = anon.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert!(res.status().is_redirection(), "{path}: {}", res.status());
        assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"), "{path}");
    }
    let (status, _) = app.call_with(&anon, "list-history", &[]).await;
    assert_eq!(status, 401);
    let (status, _) = app.call_with(&anon, "list-audit", &[]).await;
    assert_eq!(status, 401);

    // carol (viewer) reads history, but not the audit log.
    let carol = app.as_user("carol").await;
    let res = carol.get(format!("{}/history", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(!res.text().await.unwrap().contains("href=\"/audit\""), "no audit link for non-admins");
    let res = carol.get(format!("{}/history/export.json", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    for path in ["/audit", "/audit/export.csv", "/audit/export.json"] {
        let res = carol.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(res.status(), 403, "{path}");
    }
    // As a browser asks for it, too (HTML accepted).
    let res = carol.get(format!("{}/audit", app.address)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("Only administrators may read the audit log."));
    let (status, body) = app.call_with(&carol, "list-audit", &[]).await;
    assert_eq!(status, 403, "{body}");

    // The admin sees the log: carol's and admin's sign-ins are in it, newest first.
    let res = app.http.get(format!("{}/audit", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"/audit\""), "admins get the nav link");
    assert!(html.contains("carol"));
    let (status, body) = app.call("list-audit", &[("query[actor]", "carol")]).await;
    assert_eq!(status, 200, "{body}");
    let rows = body["rows"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| r["actor"] == "carol"), "{body}");
    let res = app.http.get(format!("{}/audit/export.csv?action=login", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csv = parse_csv(&res.text().await.unwrap());
    assert!(csv.len() >= 3, "header + admin + carol logins: {csv:?}");
    assert!(csv[1..].iter().all(|r| r[4] == "login"));
}

async fn audit_keyset(engine: Engine) {
    let db = db(engine).await;
    // 120 entries, in groups sharing a timestamp.
    for i in 0..120_i64 {
        let actor = if i % 2 == 0 { "alice" } else { "bob" };
        sqlx::query(
            "INSERT INTO audit_log (at, actor, ip, action, target, detail, id) VALUES ($1, $2, '', $3, '', '{}', $4)",
        )
        .bind(1_000 + i / 5)
        .bind(actor)
        .bind(if i % 3 == 0 { "login" } else { "daemon.update" })
        .bind(app::services::ids::new_id())
        .execute(db.pool())
        .await
        .unwrap();
    }
    use app::services::audit::query::{list_audit, AuditFilter};
    for f in [AuditFilter::default(), AuditFilter { actor: Some("alice".into()), ..Default::default() }] {
        let mut seen = Vec::new();
        let mut at = PageAt::First;
        loop {
            let page = list_audit(&db, &f, at, 17).await.unwrap();
            seen.extend(page.rows.iter().map(|r| (r.at, r.id.clone(), r.actor.clone())));
            match page.older {
                Some(c) => at = PageAt::Older(c),
                None => break,
            }
        }
        let expect = if f.actor.is_some() { 60 } else { 120 };
        assert_eq!(seen.len(), expect);
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
        assert_eq!(seen, sorted, "newest first");
        sorted.dedup();
        assert_eq!(sorted.len(), expect, "no duplicates");
        assert!(f.actor.is_none() || seen.iter().all(|s| s.2 == "alice"));
    }
}

/// Exports stream page by page (1,000 rows a query): every row exactly once across pages.
async fn large_exports_stream_every_row(engine: Engine) {
    let app = TestApp::on(engine).await;
    let n = 2_345_i64;
    for i in 0..n {
        // Pairs of rows share a timestamp, so page boundaries fall inside ties.
        history::insert_rollout(&app.state.services.db, &rollout("prod", "agent", 1_000 + i / 2))
            .await
            .unwrap();
    }
    let res = app.http.get(format!("{}/history/export.json", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let rows: Vec<serde_json::Value> = res.json().await.unwrap();
    let ids: Vec<String> = rows.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len() as i64, n);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len() as i64, n, "no row twice");
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");

    let text = app
        .http
        .get(format!("{}/history/export.csv", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csv = parse_csv(&text);
    assert_eq!(csv.len() as i64, n + 1, "header + every row");
    assert_eq!(csv[1..].iter().map(|r| r[0].clone()).collect::<Vec<_>>(), ids);
}

/// A failed login records the username as typed; in the CSV export a cell a spreadsheet would
/// run as a formula starts with `'` (the JSON export keeps the value as it is).
async fn csv_exports_are_formula_safe(engine: Engine) {
    let app = TestApp::on(engine).await;
    let evil = "=HYPERLINK(\"http://evil.example\",\"open\")";
    assert_eq!(login(&app.address, evil, "whatever").await, Err(401));
    assert_eq!(login(&app.address, "@SUM(1+1)", "whatever").await, Err(401));
    let res = app.http.get(format!("{}/audit/export.csv", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let csv = parse_csv(&text);
    let actors: Vec<&str> = csv[1..].iter().map(|r| r[2].as_str()).collect();
    assert!(actors.contains(&format!("'{evil}").as_str()), "{engine:?}: {actors:?}");
    assert!(actors.contains(&"'@SUM(1+1)"), "{engine:?}: {actors:?}");
    assert!(
        csv[1..].iter().flatten().all(|cell| !cell.starts_with(['=', '+', '-', '@'])),
        "{engine:?}: a cell a spreadsheet would run: {text}"
    );
    let json: serde_json::Value = app
        .http
        .get(format!("{}/audit/export.json", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(json.as_array().unwrap().iter().any(|r| r["actor"] == evil), "{engine:?}: JSON keeps it");
}

on_both!(
    write_api_round_trips,
    filters_each_narrow,
    keyset_pages_neither_overlap_nor_skip,
    page_and_exports,
    audit_keyset,
    large_exports_stream_every_row,
    csv_exports_are_formula_safe
);
