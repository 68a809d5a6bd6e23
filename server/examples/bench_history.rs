//! Rollout history benchmark (issue 5; run through `bench/history/run.sh`):
//! seeds 100,000 rollouts: 10,000 on one daemon (`prod/hot`), the rest over 900 daemons in 9
//! clusters; then measures, warm, the first page (50 rows) of the fleet-wide history and
//! of that daemon's history: the storage query alone, the server function over HTTP, and the
//! SSR page; p50/p95/p99 of sequential requests on loopback. Also prints the query plans.
//! With `wrk` on the PATH, `bench/history/run.sh` then drives the same URLs with it.

#[path = "support/timing.rs"]
mod timing;

use std::time::Instant;

use server::{
    config::{Config, DbKind},
    db::Db,
    history::{self, query::page_sql, PageAt, RolloutFilter},
    startup::Application,
};
use sqlx::Row;
use timing::{sign_in, time_async};

const TOTAL: i64 = 100_000;
const HOT: i64 = 10_000;
const BATCH: i64 = 500;
const START_MS: i64 = 1_764_547_200_000; // 2025-12-01

/// A seeding bind value (the multi-row INSERT below numbers its own placeholders).
enum Bind {
    Text(String),
    Int(i64),
}

/// Inserts the rows in multi-row INSERTs inside transactions (seeding, not the code under test).
async fn seed(db: &Db) {
    let n: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM rollouts").fetch_one(db.pool()).await.unwrap().get("n");
    if n >= TOTAL {
        println!("seed: {n} rollouts already there");
        return;
    }
    let t = Instant::now();
    let statuses =
        ["SUCCESSFUL", "SUCCESSFUL", "SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "STOPPED", "ROLLBACK_FAILED"];
    let people = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
    let mut i = 0;
    while i < TOTAL {
        let mut sql = String::from(
            "INSERT INTO rollouts (request_id, source, kind, cluster, daemon, team, requester, approvers, \
             from_revision, to_revision, diff, deployment_arn, status, reason, started_at, ended_at, id) VALUES ",
        );
        let mut binds: Vec<Bind> = Vec::new();
        for k in 0..BATCH.min(TOTAL - i) {
            let j = i + k;
            // Every 10th row is the hot daemon; the rest spread over 900 daemons.
            let (cluster, daemon) = if j % 10 == 0 {
                ("prod".to_string(), "hot".to_string())
            } else {
                (format!("c-{}", j % 10), format!("d-{:03}", (j / 10) % 100))
            };
            // Three rollouts every 15 minutes (so timestamps repeat): about a year.
            let started = START_MS + (j / 3) * 900_000;
            let requester = people[(j % 8) as usize];
            let approver = people[((j + 3) % 8) as usize];
            let row = [
                Bind::Text(format!("req-{j}")),
                Bind::Text(if j % 50 == 0 { "out_of_band" } else { "portal" }.into()),
                Bind::Text("update".into()),
                Bind::Text(cluster),
                Bind::Text(daemon.clone()),
                Bind::Text(format!("team-{}", j % 7)),
                Bind::Text(requester.into()),
                Bind::Text(approver.into()),
                Bind::Text(format!("{daemon}:{}", j / 10)),
                Bind::Text(format!("{daemon}:{}", j / 10 + 1)),
                Bind::Text(format!(
                    "image: example/{daemon}:{} → example/{daemon}:{}\nenv: + LOG_LEVEL=debug\nmemory: 512 → 1024",
                    j / 10,
                    j / 10 + 1
                )),
                Bind::Text(format!("arn:aws:ecs:us-east-1:123456789012:daemon-deployment/c/{j:08}")),
                Bind::Text(statuses[(j % 6) as usize].into()),
                Bind::Text(if j % 6 == 3 { "circuit breaker: 3 tasks failed to start".into() } else { String::new() }),
                Bind::Int(started),
                Bind::Int(started + 240_000),
                Bind::Text(app::services::ids::new_id()),
            ];
            let base = binds.len();
            let placeholders: Vec<String> = (1..=row.len()).map(|p| format!("${}", base + p)).collect();
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("({})", placeholders.join(", ")));
            binds.extend(row);
        }
        let mut q = sqlx::query(&sql);
        for b in binds {
            q = match b {
                Bind::Text(s) => q.bind(s),
                Bind::Int(v) => q.bind(v),
            };
        }
        q.execute(db.pool()).await.unwrap();
        i += BATCH;
    }
    if db.kind() == DbKind::Postgres {
        sqlx::query("ANALYZE rollouts").execute(db.pool()).await.unwrap();
    } else {
        sqlx::query("ANALYZE").execute(db.pool()).await.unwrap();
    }
    println!("seed: {TOTAL} rollouts ({HOT} on prod/hot) in {:.1} s", t.elapsed().as_secs_f64());
}

async fn plan(db: &Db, label: &str, f: &RolloutFilter, at: PageAt) {
    let (sql, args) = page_sql(f, &at, 50).into_parts();
    let explain = match db.kind() {
        DbKind::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        DbKind::Postgres => format!("EXPLAIN {sql}"),
    };
    let rows = sqlx::query_with(&explain, args).fetch_all(db.pool()).await.unwrap();
    println!("plan, {label}:");
    for r in rows {
        let line: String = match db.kind() {
            DbKind::Sqlite => r.get("detail"),
            DbKind::Postgres => r.get(0),
        };
        println!("    {line}");
    }
}

#[tokio::main]
async fn main() {
    let mut config = Config::try_parse_from_env_and(["server"]);
    config.listen = "127.0.0.1:0".parse().unwrap();
    let app = Application::build(config).await.expect("portal starts");
    let base = format!("http://{}", app.address());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let db = state.services.db.clone();
    println!(
        "# Rollout history benchmark ({} build, {:?})",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        db.kind()
    );
    seed(&db).await;

    let fleet = RolloutFilter::default();
    let hot =
        RolloutFilter { cluster: Some("prod".into()), daemon: Some("hot".into()), ..Default::default() };
    let person = RolloutFilter { person: Some("erin".into()), ..Default::default() };
    let status = RolloutFilter { status: Some("ROLLBACK_FAILED".into()), ..Default::default() };
    let deep = history::list_rollouts(&db, &fleet, PageAt::First, 1000).await.unwrap().older.unwrap();
    plan(&db, "fleet-wide, first page", &fleet, PageAt::First).await;
    plan(&db, "prod/hot, first page", &hot, PageAt::First).await;
    plan(&db, "fleet-wide, an older page", &fleet, PageAt::Older(deep.clone())).await;
    plan(&db, "person filter", &person, PageAt::First).await;

    let (http, cookie) = sign_in(&base, "admin").await;

    let n = std::env::var("BENCH_N").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    for (label, f) in [
        ("fleet-wide", &fleet),
        ("prod/hot (10,000 rows)", &hot),
        ("person=erin", &person),
        ("status=ROLLBACK_FAILED", &status),
    ] {
        let db = db.clone();
        let r = time_async(n, || {
            let db = db.clone();
            let f = f.clone();
            async move {
                let p = history::list_rollouts(&db, &f, PageAt::First, 50).await.unwrap();
                assert_eq!(p.rows.len(), 50);
            }
        })
        .await;
        println!("query, first page, {label}: {r}");
    }
    let r = time_async(n, || {
        let db = db.clone();
        let deep = deep.clone();
        async move {
            history::list_rollouts(&db, &RolloutFilter::default(), PageAt::Older(deep), 50).await.unwrap();
        }
    })
    .await;
    println!("query, fleet-wide page after 1,000 rows: {r}");

    for (label, form) in
        [("fleet-wide", String::new()), ("prod/hot", "query[cluster]=prod&query[daemon]=hot".to_string())]
    {
        let r = time_async(n, || {
            let req = http
                .post(format!("{base}/api/list-history"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form.clone());
            async move {
                let res = req.send().await.unwrap();
                assert_eq!(res.status(), 200);
                let _ = res.bytes().await.unwrap();
            }
        })
        .await;
        println!("server fn list-history, first page, {label}: {r}");
    }
    for (label, path) in [("fleet-wide", "/history"), ("prod/hot", "/history?cluster=prod&daemon=hot")] {
        let r = time_async(n, || {
            let req = http.get(format!("{base}{path}"));
            async move {
                let res = req.send().await.unwrap();
                assert_eq!(res.status(), 200);
                let _ = res.bytes().await.unwrap();
            }
        })
        .await;
        println!("SSR page {path}, first page, {label}: {r}");
    }

    // For wrk (bench/history/run.sh): the address and a session, then keep serving.
    if let Ok(file) = std::env::var("BENCH_HANDOFF") {
        std::fs::write(&file, format!("{base}\n{cookie}\n")).unwrap();
        println!("serving on {base} for wrk until killed");
        std::future::pending::<()>().await;
    }
}
