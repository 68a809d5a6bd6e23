//! Rollout history: the write API the worker calls, the filtered keyset read, the History page,
//! its exports, and the audit log viewer. Storage tests run on SQLite and PostgreSQL.
mod common;

use std::collections::HashSet;

use common::{fresh_url, Backend};
use server::{
    config::DatabaseUrl,
    db::Db,
    history::{self, NewRollout, PageAt, RolloutFilter},
};

async fn db(backend: Backend) -> Option<Db> {
    let url = fresh_url(backend).await?;
    Some(Db::connect(&DatabaseUrl::parse(&url).unwrap()).await.expect("connect + migrate"))
}

fn rollout(cluster: &str, daemon: &str, started_at: i64) -> NewRollout {
    NewRollout {
        request_id: uuid::Uuid::new_v4().to_string(),
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
        deployment_arn: String::new(),
        status: "IN_PROGRESS".into(),
        reason: String::new(),
        started_at,
    }
}

fn filter() -> RolloutFilter {
    RolloutFilter::default()
}

async fn write_api_round_trips(backend: Backend) {
    let Some(db) = db(backend).await else { return };
    let mut r = rollout("prod", "agent", 1_000);
    r.approvers = vec!["bob".into(), "dave".into()];
    r.diff = "env:\n- A=1\n+ A=2, \"quoted\"".into();
    let id = history::insert_rollout(&db, &r).await.unwrap();
    let second = history::insert_rollout(&db, &rollout("prod", "agent", 2_000)).await.unwrap();
    assert!(second > id, "ids grow: {id} then {second}");

    history::set_deployment(&db, id, "arn:aws:ecs:us-east-1:123:daemon-deployment/prod/x").await.unwrap();
    history::finish_rollout(&db, id, "ROLLBACK_SUCCESSFUL", "circuit breaker: 3 tasks failed", 5_000)
        .await
        .unwrap();

    let page = history::list_rollouts(&db, &filter(), PageAt::First, 50).await.unwrap();
    assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![second, id], "newest first");
    let got = &page.rows[1];
    assert_eq!(got.approvers, vec!["bob".to_string(), "dave".to_string()]);
    assert_eq!(got.diff, r.diff);
    assert_eq!(got.deployment_arn, "arn:aws:ecs:us-east-1:123:daemon-deployment/prod/x");
    assert_eq!(got.status, "ROLLBACK_SUCCESSFUL");
    assert_eq!(got.reason, "circuit breaker: 3 tasks failed");
    assert_eq!((got.started_at, got.ended_at), (1_000, 5_000));
    assert_eq!(got.request_id, r.request_id);
    assert!(got.superseded, "a newer rollout of prod/agent exists");
    assert!(!page.rows[0].superseded, "the newest rollout of prod/agent");
    assert_eq!(page.rows[0].ended_at, 0, "still running");
    assert_eq!((page.older, page.newer), (None, None), "one page");
}

#[tokio::test]
async fn write_api_round_trips_on_sqlite() {
    write_api_round_trips(Backend::Sqlite).await;
}

#[tokio::test]
async fn write_api_round_trips_on_postgres() {
    write_api_round_trips(Backend::Postgres).await;
}

async fn ids(db: &Db, f: RolloutFilter) -> Vec<i64> {
    history::list_rollouts(db, &f, PageAt::First, 1000).await.unwrap().rows.iter().map(|r| r.id).collect()
}

async fn filters_each_narrow(backend: Backend) {
    let Some(db) = db(backend).await else { return };
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
    let pick = |ix: &[usize]| ix.iter().rev().map(|&i| id[i]).collect::<Vec<_>>();

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

#[tokio::test]
async fn filters_each_narrow_on_sqlite() {
    filters_each_narrow(Backend::Sqlite).await;
}

#[tokio::test]
async fn filters_each_narrow_on_postgres() {
    filters_each_narrow(Backend::Postgres).await;
}

async fn keyset_pages_neither_overlap_nor_skip(backend: Backend) {
    let Some(db) = db(backend).await else { return };
    // 250 rows, many sharing a timestamp (groups of 7), inserted out of time order.
    let mut expected = Vec::new();
    for i in 0..250_i64 {
        let t = 1_000 + ((i * 37) % 250) / 7 * 10;
        let daemon = if i % 3 == 0 { "agent" } else { "logs" };
        let id = history::insert_rollout(&db, &rollout("prod", daemon, t)).await.unwrap();
        expected.push((t, id, daemon));
    }
    for daemon in [None, Some("agent")] {
        let mut want: Vec<(i64, i64)> = expected
            .iter()
            .filter(|(_, _, d)| daemon.is_none_or(|x| x == *d))
            .map(|(t, id, _)| (*t, *id))
            .collect();
        want.sort_by(|a, b| b.cmp(a));
        let f = RolloutFilter { daemon: daemon.map(str::to_string), ..filter() };

        // Older, all the way down.
        let mut seen = Vec::new();
        let mut pages = Vec::new();
        let mut at = PageAt::First;
        loop {
            let page = history::list_rollouts(&db, &f, at, 30).await.unwrap();
            assert!(page.rows.len() <= 30);
            seen.extend(page.rows.iter().map(|r| (r.started_at, r.id)));
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
        while let Some(c) = back.last().unwrap().newer {
            back.push(history::list_rollouts(&db, &f, PageAt::Newer(c), 30).await.unwrap());
        }
        back.reverse();
        let rows = |ps: &[history::RolloutPage]| {
            ps.iter().flat_map(|p| p.rows.iter().map(|r| (r.started_at, r.id))).collect::<Vec<_>>()
        };
        // Going up, the pages are cut from the other end, so compare the rows, not the pages.
        assert_eq!(rows(&back), want, "newer pages, daemon {daemon:?}");
        let unique: HashSet<_> = rows(&back).into_iter().collect();
        assert_eq!(unique.len(), want.len());
    }
}

#[tokio::test]
async fn keyset_pages_neither_overlap_nor_skip_on_sqlite() {
    keyset_pages_neither_overlap_nor_skip(Backend::Sqlite).await;
}

#[tokio::test]
async fn keyset_pages_neither_overlap_nor_skip_on_postgres() {
    keyset_pages_neither_overlap_nor_skip(Backend::Postgres).await;
}

async fn audit_keyset(backend: Backend) {
    let Some(db) = db(backend).await else { return };
    // 120 entries, in groups sharing a timestamp.
    for i in 0..120_i64 {
        let actor = if i % 2 == 0 { "alice" } else { "bob" };
        sqlx::query(
            "INSERT INTO audit_log (at, actor, ip, action, target, detail) VALUES ($1, $2, '', $3, '', '{}')",
        )
        .bind(1_000 + i / 5)
        .bind(actor)
        .bind(if i % 3 == 0 { "login" } else { "daemon.update" })
        .execute(db.pool())
        .await
        .unwrap();
    }
    use server::history::audit::{list_audit, AuditFilter};
    for f in [AuditFilter::default(), AuditFilter { actor: Some("alice".into()), ..Default::default() }] {
        let mut seen = Vec::new();
        let mut at = PageAt::First;
        loop {
            let page = list_audit(&db, &f, at, 17).await.unwrap();
            seen.extend(page.rows.iter().map(|r| (r.at, r.id, r.actor.clone())));
            match page.older {
                Some(c) => at = PageAt::Older(c),
                None => break,
            }
        }
        let expect = if f.actor.is_some() { 60 } else { 120 };
        assert_eq!(seen.len(), expect);
        let mut sorted = seen.clone();
        sorted.sort_by_key(|s| std::cmp::Reverse((s.0, s.1)));
        assert_eq!(seen, sorted, "newest first");
        sorted.dedup();
        assert_eq!(sorted.len(), expect, "no duplicates");
        assert!(f.actor.is_none() || seen.iter().all(|s| s.2 == "alice"));
    }
}

#[tokio::test]
async fn audit_keyset_on_sqlite() {
    audit_keyset(Backend::Sqlite).await;
}

#[tokio::test]
async fn audit_keyset_on_postgres() {
    audit_keyset(Backend::Postgres).await;
}
