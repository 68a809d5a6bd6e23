//! Approvals inbox benchmark (issue 5; run through `bench/approvals/run.sh`): seeds 100,000
//! change requests (300 of them pending, spread over teams and requesters, the rest ended),
//! then measures, warm, the first page of bob's "Waiting for me", of "My requests" for alice,
//! of "All requests", of "All" filtered to a state, the navigation's counts, and the SSR
//! `/approvals` page: p50/p95/p99 of sequential requests on loopback.

#[path = "support/timing.rs"]
mod timing;

use std::time::Instant;

use server::{config::Config, db::Db, startup::Application};
use sqlx::Row;
use timing::{sign_in, time_async};

const TOTAL: i64 = 100_000;
const PENDING_EVERY: i64 = 333;
const BATCH: i64 = 500;
const START_MS: i64 = 1_764_547_200_000; // 2025-12-01

async fn seed(db: &Db) {
    let n: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM change_requests").fetch_one(db.pool()).await.unwrap().get("n");
    if n >= TOTAL {
        println!("seed: {n} change requests already there");
        return;
    }
    let t = Instant::now();
    let people = ["alice", "dave", "erin", "frank", "grace", "heidi"];
    let ended =
        ["succeeded", "succeeded", "succeeded", "rejected", "rolled_back", "cancelled", "expired", "failed"];
    let policy = r#"{"approvals_required":1,"approver_teams":["platform"],"allow_self_approval":false,"expiry_hours":72,"source":"cluster prod"}"#;
    let mut i = 0;
    while i < TOTAL {
        let mut sql = String::from(
            "INSERT INTO change_requests (id, kind, cluster, daemon, family, from_revision, to_revision, \
             capacity_providers, team, requester, summary, input, diff, state, version, policy, approvals_required, \
             created_at, updated_at, expires_at) VALUES ",
        );
        let rows: Vec<String> = (i..(i + BATCH).min(TOTAL))
            .map(|j| {
                let state = if j % PENDING_EVERY == 0 { "pending" } else { ended[(j % 8) as usize] };
                let at = START_MS + j * 60_000;
                format!(
                    "('req-{j:06}', 'update', 'prod', 'd-{d:03}', 'fam-{d:03}', 'fam-{d:03}:1', 'fam-{d:03}:2', '[\"mi-prod-a\"]', \
                     'platform', '{who}', 'Update daemon d-{d:03} on cluster prod', '{{}}', '', '{state}', 1, '{policy}', 1, \
                     {at}, {at}, {exp})",
                    d = j % 400,
                    who = people[(j % 6) as usize],
                    exp = at + 100 * 365 * 86_400_000,
                )
            })
            .collect();
        sql.push_str(&rows.join(", "));
        let mut tx = db.pool().begin().await.unwrap();
        sqlx::query(&sql).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        i += BATCH;
    }
    println!("seed: {TOTAL} change requests in {:.1} s", t.elapsed().as_secs_f64());
}

#[tokio::main]
async fn main() {
    let mut config = Config::try_parse_from_env_and(["server"]);
    config.listen = "127.0.0.1:0".parse().unwrap();
    // The worker is not what is measured here.
    config.worker_interval_ms = 60_000;
    config.drift_interval_ms = 0;
    let app = Application::build(config).await.expect("portal starts");
    let base = format!("http://{}", app.address());
    let db = app.state().services.db.clone();
    tokio::spawn(app.run_until_stopped());
    println!(
        "# Approvals inbox benchmark ({} build, {:?})",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        db.kind()
    );
    seed(&db).await;
    let (bob, _) = sign_in(&base, "bob").await;
    let (alice, _) = sign_in(&base, "alice").await;
    let n = std::env::var("BENCH_N").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let cases: [(&str, &reqwest::Client, &str, &str); 5] = [
        ("server fn, Waiting for me (bob)", &bob, "list-change-requests", "filter[inbox]=waiting"),
        ("server fn, My requests (alice)", &alice, "list-change-requests", "filter[inbox]=mine"),
        ("server fn, All requests", &bob, "list-change-requests", "filter[inbox]=all"),
        (
            "server fn, All, state=rolled_back",
            &bob,
            "list-change-requests",
            "filter[inbox]=all&filter[state]=rolled_back",
        ),
        ("server fn, navigation counts (bob)", &bob, "approval-counts", ""),
    ];
    for (label, http, endpoint, body) in cases {
        let url = format!("{base}/api/{endpoint}");
        let r = time_async(n, || {
            let req = http
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.to_string());
            async move {
                let res = req.send().await.unwrap();
                assert!(res.status().is_success(), "{}", res.status());
                res.bytes().await.unwrap();
            }
        })
        .await;
        println!("{label}: {r}");
    }
    for (label, path) in [
        ("SSR page /approvals (Waiting for me, bob)", "/approvals"),
        ("SSR page /approvals?inbox=all", "/approvals?inbox=all"),
    ] {
        let url = format!("{base}{path}");
        let r = time_async(n, || {
            let req = bob.get(&url);
            async move {
                let res = req.send().await.unwrap();
                assert!(res.status().is_success(), "{}", res.status());
                res.bytes().await.unwrap();
            }
        })
        .await;
        println!("{label}: {r}");
    }
}
