//! The policy and freeze-window data layer and the embedded default policies, on SQLite and
//! PostgreSQL.
mod common;

use app::domain::{
    policy::{FreezeSchedule, FreezeWindow, Policy},
    utc::parse_datetime,
};
use common::{fresh_url, Backend};
use server::{
    admin::{freezes, policies, seed::ensure_default_policies},
    config::DatabaseUrl,
    db::Db,
};

async fn db(backend: Backend) -> Option<(Db, String)> {
    let url = fresh_url(backend).await?;
    Some((Db::connect(&DatabaseUrl::parse(&url).unwrap()).await.expect("connect"), url))
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn policy(cluster: &str, provider: &str, approvals: u32) -> Policy {
    Policy {
        capacity_provider: provider.into(),
        approvals_required: approvals,
        ..Policy::builtin_default(cluster)
    }
}

async fn defaults_are_seeded_once(backend: Backend) {
    let Some((db, url)) = db(backend).await else { return };
    ensure_default_policies(&db, true).await.unwrap();
    let rows = policies::list(&db).await.unwrap();
    let got: Vec<(String, u32, Vec<String>, bool)> = rows
        .iter()
        .map(|r| {
            (
                r.policy.cluster.clone(),
                r.policy.approvals_required,
                r.policy.approver_teams.clone(),
                r.policy.allow_self_approval,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("*".to_string(), 0, vec![], false),
            ("default".to_string(), 0, vec![], false),
            ("prod".to_string(), 1, names(&["platform"]), false),
        ],
        "{backend:?}"
    );
    assert!(rows.iter().all(|r| r.updated_by == "system" && r.policy.expiry_hours == 72));

    // Deleted defaults stay deleted across restarts.
    assert!(policies::delete(&db, "prod", "").await.unwrap());
    ensure_default_policies(&db, true).await.unwrap();
    assert_eq!(policies::list(&db).await.unwrap().len(), 2);

    // Two replicas starting at once against a fresh database: one set of defaults, no error.
    let Some(url2) = fresh_url(backend).await else { return };
    let (a, b) = (
        Db::connect(&DatabaseUrl::parse(&url2).unwrap()).await.unwrap(),
        Db::connect(&DatabaseUrl::parse(&url2).unwrap()).await.unwrap(),
    );
    let (ra, rb) = tokio::join!(ensure_default_policies(&a, true), ensure_default_policies(&b, true));
    ra.unwrap();
    rb.unwrap();
    assert_eq!(policies::list(&a).await.unwrap().len(), 3, "{backend:?}");

    // Not in aws mode.
    let Some(url3) = fresh_url(backend).await else { return };
    let c = Db::connect(&DatabaseUrl::parse(&url3).unwrap()).await.unwrap();
    ensure_default_policies(&c, false).await.unwrap();
    assert!(policies::list(&c).await.unwrap().is_empty());
    drop(url);
}

async fn upsert_and_policy_for(backend: Backend) {
    let Some((db, _)) = db(backend).await else { return };
    ensure_default_policies(&db, true).await.unwrap();
    // The seeded prod policy: 1 approval from platform.
    assert_eq!(
        policies::policy_for(&db, "prod", &names(&["mi-prod-b"])).await.unwrap().approvals_required,
        1
    );

    let mut strict = policy("prod", "mi-prod-a", 2);
    strict.approver_teams = names(&["platform", "security"]);
    policies::upsert(&db, &strict, "admin").await.unwrap();
    let got = policies::get(&db, "prod", "mi-prod-a").await.unwrap().unwrap();
    assert_eq!(got.policy, strict);
    assert_eq!(got.updated_by, "admin");

    // Upsert replaces, keeps one row.
    strict.approvals_required = 3;
    strict.allow_self_approval = true;
    policies::upsert(&db, &strict, "root").await.unwrap();
    assert_eq!(policies::get(&db, "prod", "mi-prod-a").await.unwrap().unwrap().policy, strict);
    assert_eq!(policies::list(&db).await.unwrap().len(), 4);

    let p = policies::policy_for(&db, "prod", &names(&["mi-prod-b", "mi-prod-a"])).await.unwrap();
    assert_eq!((p.capacity_provider.as_str(), p.approvals_required), ("mi-prod-a", 3));
    let p = policies::policy_for(&db, "prod", &names(&["mi-prod-b"])).await.unwrap();
    assert_eq!((p.approvals_required, p.approver_teams.clone()), (1, names(&["platform"])));
    assert_eq!(policies::policy_for(&db, "prod", &[]).await.unwrap().approvals_required, 1);
    assert_eq!(
        policies::policy_for(&db, "staging", &names(&["x"])).await.unwrap().approvals_required,
        0,
        "*"
    );
    assert_eq!(policies::policy_for(&db, "", &[]).await.unwrap().approvals_required, 0, "no cluster → *");

    assert!(policies::delete(&db, "*", "").await.unwrap());
    assert!(!policies::delete(&db, "*", "").await.unwrap());
    assert_eq!(policies::policy_for(&db, "staging", &[]).await.unwrap(), Policy::builtin_default("staging"));
}

async fn freeze_windows(backend: Backend) {
    let Some((db, _)) = db(backend).await else { return };
    let at = |s: &str| parse_datetime(s).unwrap();
    let reason = "<script>alert(1)</script> '; DROP TABLE freeze_windows; --";
    let xmas = FreezeWindow {
        id: String::new(),
        cluster: "*".into(),
        capacity_provider: String::new(),
        schedule: FreezeSchedule::Once { starts_at: at("2026-12-24 00:00"), ends_at: at("2026-12-27 00:00") },
        reason: reason.into(),
    };
    let xmas_id = freezes::save(&db, &xmas, "admin").await.unwrap();
    let nights = FreezeWindow {
        id: String::new(),
        cluster: "prod".into(),
        capacity_provider: "mi-prod-a".into(),
        // Fridays 22:00 → Saturdays 06:00
        schedule: FreezeSchedule::Weekly { weekdays: vec![4], start_minute: 22 * 60, end_minute: 6 * 60 },
        reason: "Friday nights".into(),
    };
    let nights_id = freezes::save(&db, &nights, "admin").await.unwrap();
    assert_ne!(xmas_id, nights_id);

    let listed = freezes::list(&db).await.unwrap();
    assert_eq!(listed.len(), 2);
    let stored = freezes::get(&db, &xmas_id).await.unwrap().unwrap();
    assert_eq!(
        stored.window,
        FreezeWindow { id: xmas_id.clone(), ..xmas.clone() },
        "reason stored literally"
    );
    assert_eq!(freezes::get(&db, &nights_id).await.unwrap().unwrap().window.schedule, nights.schedule);

    let ids = |v: Vec<FreezeWindow>| v.into_iter().map(|w| w.id).collect::<Vec<_>>();
    let a = names(&["mi-prod-a"]);
    assert_eq!(
        ids(policies::freezes_for(&db, "prod", &a, at("2026-12-25 12:00")).await.unwrap()),
        vec![xmas_id.clone()]
    );
    assert_eq!(
        ids(policies::freezes_for(&db, "", &[], at("2026-12-25 12:00")).await.unwrap()),
        vec![xmas_id.clone()]
    );
    assert_eq!(
        ids(policies::freezes_for(&db, "prod", &a, at("2026-12-05 01:00")).await.unwrap()),
        vec![nights_id.clone()]
    );
    assert!(policies::freezes_for(&db, "prod", &names(&["mi-prod-b"]), at("2026-12-05 01:00"))
        .await
        .unwrap()
        .is_empty());
    assert!(policies::freezes_for(&db, "dev", &a, at("2026-12-05 01:00")).await.unwrap().is_empty());
    assert!(policies::freezes_for(&db, "prod", &a, at("2026-12-05 06:00")).await.unwrap().is_empty());

    // Saving with an id replaces that window.
    let edited = FreezeWindow { id: nights_id.clone(), reason: "Friday nights, edited".into(), ..nights };
    assert_eq!(freezes::save(&db, &edited, "admin").await.unwrap(), nights_id);
    assert_eq!(freezes::get(&db, &nights_id).await.unwrap().unwrap().window.reason, "Friday nights, edited");
    assert_eq!(freezes::list(&db).await.unwrap().len(), 2);

    assert!(freezes::delete(&db, &xmas_id).await.unwrap());
    assert!(!freezes::delete(&db, &xmas_id).await.unwrap());
    assert!(policies::freezes_for(&db, "prod", &a, at("2026-12-25 12:00")).await.unwrap().is_empty());
}

#[tokio::test]
async fn defaults_are_seeded_once_on_sqlite() {
    defaults_are_seeded_once(Backend::Sqlite).await;
}
#[tokio::test]
async fn defaults_are_seeded_once_on_postgres() {
    defaults_are_seeded_once(Backend::Postgres).await;
}
#[tokio::test]
async fn upsert_and_policy_for_on_sqlite() {
    upsert_and_policy_for(Backend::Sqlite).await;
}
#[tokio::test]
async fn upsert_and_policy_for_on_postgres() {
    upsert_and_policy_for(Backend::Postgres).await;
}
#[tokio::test]
async fn freeze_windows_on_sqlite() {
    freeze_windows(Backend::Sqlite).await;
}
#[tokio::test]
async fn freeze_windows_on_postgres() {
    freeze_windows(Backend::Postgres).await;
}
