//! The policy and freeze-window data layer and the embedded default policies, on SQLite and
//! PostgreSQL.
use crate::helpers::Engine;
use app::domain::{
    policy::{CombinedPolicy, FreezeSchedule, FreezeWindow, Policy, Scope},
    utc::parse_datetime,
};
use server::{
    admin::{freezes, policies, seed::ensure_default_policies},
    config::DatabaseUrl,
    db::Db,
};

async fn db(engine: Engine) -> (Db, String) {
    let url = engine.fresh_url().await;
    (Db::connect(&DatabaseUrl::parse(&url).unwrap()).await.expect("connect"), url)
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

async fn defaults_are_seeded_once(engine: Engine) {
    let (db, url) = db(engine).await;
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
        "{engine:?}"
    );
    assert!(rows.iter().all(|r| r.updated_by == "system" && r.policy.expiry_hours == 72));

    // Deleted defaults stay deleted across restarts.
    assert!(policies::delete(&db, "*", "prod", "").await.unwrap());
    ensure_default_policies(&db, true).await.unwrap();
    assert_eq!(policies::list(&db).await.unwrap().len(), 2);

    // Two replicas starting at once against a fresh database: one set of defaults, no error.
    let url2 = engine.fresh_url().await;
    let (a, b) = (
        Db::connect(&DatabaseUrl::parse(&url2).unwrap()).await.unwrap(),
        Db::connect(&DatabaseUrl::parse(&url2).unwrap()).await.unwrap(),
    );
    let (ra, rb) = tokio::join!(ensure_default_policies(&a, true), ensure_default_policies(&b, true));
    ra.unwrap();
    rb.unwrap();
    assert_eq!(policies::list(&a).await.unwrap().len(), 3, "{engine:?}");

    // Not in aws mode.
    let url3 = engine.fresh_url().await;
    let c = Db::connect(&DatabaseUrl::parse(&url3).unwrap()).await.unwrap();
    ensure_default_policies(&c, false).await.unwrap();
    assert!(policies::list(&c).await.unwrap().is_empty());
    drop(url);
}

async fn upsert_and_policy_for(engine: Engine) {
    let (db, _) = db(engine).await;
    ensure_default_policies(&db, true).await.unwrap();
    // The seeded prod policy: 1 approval from platform.
    assert_eq!(combined(&db, "prod", &[], &["mi-prod-b"]).await.approvals_required, 1);

    let mut strict = policy("prod", "mi-prod-a", 2);
    strict.approver_teams = names(&["platform", "security"]);
    policies::upsert(&db, &strict, "admin").await.unwrap();
    let got = policies::get(&db, "*", "prod", "mi-prod-a").await.unwrap().unwrap();
    assert_eq!(got.policy, strict);
    assert_eq!(got.updated_by, "admin");

    // Upsert replaces, keeps one row.
    strict.approvals_required = 3;
    strict.allow_self_approval = true;
    policies::upsert(&db, &strict, "root").await.unwrap();
    assert_eq!(policies::get(&db, "*", "prod", "mi-prod-a").await.unwrap().unwrap().policy, strict);
    assert_eq!(policies::list(&db).await.unwrap().len(), 4);

    // Both providers' policies apply: each must be satisfied.
    let p = combined(&db, "prod", &["mi-prod-b"], &["mi-prod-a"]).await;
    assert_eq!(labels(&p), vec!["prod/mi-prod-a", "cluster prod"]);
    assert_eq!((p.approvals_required, p.allow_self_approval), (3, false));
    let p = combined(&db, "prod", &[], &["mi-prod-b"]).await;
    assert_eq!((p.approvals_required, p.approver_teams.clone()), (1, names(&["platform"])));
    let p = combined(&db, "staging", &[], &["x"]).await;
    assert_eq!((labels(&p), p.approvals_required), (vec!["all clusters (*)"], 0));
    let p = combined(&db, "", &[], &[]).await;
    assert_eq!((labels(&p), p.approvals_required), (vec!["all clusters (*)"], 0), "no cluster → *");

    assert!(policies::delete(&db, "*", "*", "").await.unwrap());
    assert!(!policies::delete(&db, "*", "*", "").await.unwrap());
    let p = combined(&db, "staging", &[], &[]).await;
    assert_eq!(p.requirements[0].policy, Policy::builtin_default("staging"));
    assert_eq!(labels(&p), vec!["built-in default"]);
}

async fn combined(db: &Db, cluster: &str, now: &[&str], target: &[&str]) -> CombinedPolicy {
    policies::combined_for(db, Scope::new(cluster, &names(now), &names(target))).await.unwrap()
}

fn labels(p: &CombinedPolicy) -> Vec<&str> {
    p.requirements.iter().map(|r| r.label.as_str()).collect()
}

async fn freeze_windows(engine: Engine) {
    let (db, _) = db(engine).await;
    let at = |s: &str| parse_datetime(s).unwrap();
    let reason = "<script>alert(1)</script> '; DROP TABLE freeze_windows; --";
    let xmas = FreezeWindow {
        id: String::new(),
        environment: "*".into(),
        cluster: "*".into(),
        capacity_provider: String::new(),
        schedule: FreezeSchedule::Once { starts_at: at("2026-12-24 00:00"), ends_at: at("2026-12-27 00:00") },
        reason: reason.into(),
    };
    let xmas_id = freezes::save(&db, &xmas, "admin").await.unwrap();
    let nights = FreezeWindow {
        id: String::new(),
        environment: "*".into(),
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
        ids(policies::freezes_for(&db, "default", "prod", &a, at("2026-12-25 12:00")).await.unwrap()),
        vec![xmas_id.clone()]
    );
    assert_eq!(
        ids(policies::freezes_for(&db, "default", "", &[], at("2026-12-25 12:00")).await.unwrap()),
        vec![xmas_id.clone()]
    );
    assert_eq!(
        ids(policies::freezes_for(&db, "default", "prod", &a, at("2026-12-05 01:00")).await.unwrap()),
        vec![nights_id.clone()]
    );
    assert!(policies::freezes_for(&db, "default", "prod", &names(&["mi-prod-b"]), at("2026-12-05 01:00"))
        .await
        .unwrap()
        .is_empty());
    assert!(policies::freezes_for(&db, "default", "dev", &a, at("2026-12-05 01:00"))
        .await
        .unwrap()
        .is_empty());
    // A request on prod whose providers are unknown is held by prod's provider windows too.
    assert_eq!(
        ids(policies::freezes_for(&db, "default", "prod", &[], at("2026-12-05 01:00")).await.unwrap()),
        vec![nights_id.clone()]
    );
    assert!(policies::freezes_for(&db, "default", "prod", &a, at("2026-12-05 06:00"))
        .await
        .unwrap()
        .is_empty());

    // Saving with an id replaces that window.
    let edited = FreezeWindow { id: nights_id.clone(), reason: "Friday nights, edited".into(), ..nights };
    assert_eq!(freezes::save(&db, &edited, "admin").await.unwrap(), nights_id);
    assert_eq!(freezes::get(&db, &nights_id).await.unwrap().unwrap().window.reason, "Friday nights, edited");
    assert_eq!(freezes::list(&db).await.unwrap().len(), 2);

    assert!(freezes::delete(&db, &xmas_id).await.unwrap());
    assert!(!freezes::delete(&db, &xmas_id).await.unwrap());
    assert!(policies::freezes_for(&db, "default", "prod", &a, at("2026-12-25 12:00"))
        .await
        .unwrap()
        .is_empty());

    // A window of one environment holds that environment's requests only.
    let eu = FreezeWindow {
        id: String::new(),
        environment: "prod-eu".into(),
        cluster: "*".into(),
        capacity_provider: String::new(),
        schedule: FreezeSchedule::Once { starts_at: at("2026-12-24 00:00"), ends_at: at("2026-12-27 00:00") },
        reason: "EU holiday".into(),
    };
    let eu_id = freezes::save(&db, &eu, "admin").await.unwrap();
    assert_eq!(freezes::get(&db, &eu_id).await.unwrap().unwrap().window.environment, "prod-eu");
    assert_eq!(
        ids(policies::freezes_for(&db, "prod-eu", "prod", &a, at("2026-12-25 12:00")).await.unwrap()),
        vec![eu_id.clone()]
    );
    assert!(policies::freezes_for(&db, "default", "prod", &a, at("2026-12-25 12:00"))
        .await
        .unwrap()
        .is_empty());
}

/// Policies match on environment → cluster → provider, `*` at each level: an environment's own
/// policies come before those for every environment, and the same (cluster, provider) may have
/// a policy in each environment.
async fn policies_per_environment(engine: Engine) {
    let (db, _) = db(engine).await;
    ensure_default_policies(&db, true).await.unwrap();
    let scoped = |env: &str, cluster: &str, provider: &str, n: u32| Policy {
        environment: env.into(),
        ..policy(cluster, provider, n)
    };
    policies::upsert(&db, &scoped("prod-eu", "prod", "", 3), "admin").await.unwrap();
    policies::upsert(&db, &scoped("prod-eu", "*", "", 2), "admin").await.unwrap();
    policies::upsert(&db, &scoped("dev", "prod", "mi-prod-a", 0), "admin").await.unwrap();
    assert_eq!(policies::list(&db).await.unwrap().len(), 6, "same cluster, one row per environment");
    assert_eq!(
        policies::get(&db, "prod-eu", "prod", "").await.unwrap().unwrap().policy.approvals_required,
        3
    );
    assert_eq!(policies::get(&db, "*", "prod", "").await.unwrap().unwrap().policy.approvals_required, 1);

    let in_env = |env: &str, cluster: &str, target: &[&str]| {
        Scope::new(cluster, &[], &names(target)).in_environment(env)
    };
    // prod-eu's own cluster policy wins over the `*` environment's prod policy.
    let p = policies::combined_for(&db, in_env("prod-eu", "prod", &["mi-prod-a"])).await.unwrap();
    assert_eq!((labels(&p), p.approvals_required), (vec!["prod-eu: cluster prod"], 3));
    // Another cluster of prod-eu: the environment's policy for every cluster.
    let p = policies::combined_for(&db, in_env("prod-eu", "web", &["x"])).await.unwrap();
    assert_eq!((labels(&p), p.approvals_required), (vec!["prod-eu: all clusters"], 2));
    // dev's provider policy governs only that provider; the other falls back to `*`'s prod.
    let p = policies::combined_for(&db, in_env("dev", "prod", &["mi-prod-a", "mi-prod-b"])).await.unwrap();
    assert_eq!(labels(&p), vec!["dev: prod/mi-prod-a", "cluster prod"]);
    assert_eq!(p.approvals_required, 1);
    // An environment without policies of its own: those for every environment.
    let p = policies::combined_for(&db, in_env("staging", "prod", &["mi-prod-a"])).await.unwrap();
    assert_eq!((labels(&p), p.approvals_required), (vec!["cluster prod"], 1));
    // Unknown providers on prod in prod-eu: every prod policy of prod-eu and of `*` applies.
    let p = policies::combined_for(&db, in_env("prod-eu", "prod", &[])).await.unwrap();
    assert_eq!(p.approvals_required, 3);

    assert!(policies::delete(&db, "prod-eu", "prod", "").await.unwrap());
    assert!(policies::get(&db, "*", "prod", "").await.unwrap().is_some(), "only prod-eu's row went");
}

// ---- The policy rules through the real submit path (HTTP, embedded emulator) ----

mod rules {
    use std::time::Duration;

    use app::domain::policy::Policy;
    use serde_json::{json, Value};
    use server::admin::policies;

    use crate::helpers::{Engine, TestApp};

    const A: &str = "mi-prod-a";
    const B: &str = "mi-prod-b";
    const PA: &str = "prod/mi-prod-a";
    const PB: &str = "prod/mi-prod-b";

    fn pol(cluster: &str, provider: &str, n: u32, teams: &[&str], self_ok: bool, hours: u32) -> Policy {
        Policy {
            environment: "*".into(),
            cluster: cluster.into(),
            capacity_provider: provider.into(),
            approvals_required: n,
            approver_teams: teams.iter().map(|t| t.to_string()).collect(),
            allow_self_approval: self_ok,
            expiry_hours: hours,
        }
    }

    /// Strict `a` (2 from security, 24 h), lax `b` (1 from anyone, self-approval, 48 h).
    fn strict_a_lax_b() -> Vec<Policy> {
        vec![
            pol("*", "", 0, &[], false, 72),
            pol("prod", "", 1, &["platform"], false, 72),
            pol("prod", A, 2, &["security"], false, 24),
            pol("prod", B, 1, &[], true, 48),
        ]
    }

    /// Strict `a`; `b` falls back to the cluster's policy (1 from platform).
    fn strict_a_cluster_b() -> Vec<Policy> {
        strict_a_lax_b().into_iter().filter(|p| p.capacity_provider != B).collect()
    }

    /// Nothing needs approval: what a freeze window holds is all that stops execution.
    fn open() -> Vec<Policy> {
        vec![pol("*", "", 0, &[], false, 72), pol("prod", "", 0, &[], false, 72)]
    }

    #[derive(Clone, Copy)]
    enum Change {
        Deploy(&'static str, &'static [&'static str]),
        Update(&'static str, &'static [&'static str]),
        /// Back to revision 1 (the daemons run revision 2).
        Rollback(&'static str, &'static [&'static str]),
        Delete(&'static str),
        DeleteRevision,
    }

    struct Case {
        what: &'static str,
        policies: fn() -> Vec<Policy>,
        /// A freeze window now on prod ("" = the whole cluster) or this provider.
        freeze: Option<&'static str>,
        change: Change,
        labels: &'static [&'static str],
        approvals: u32,
        teams: &'static [&'static str],
        self_ok: bool,
        hours: i64,
        /// Needs no approval: whether it is held by the freeze (`Some(true)`) or executes.
        frozen: Option<bool>,
    }

    fn cases() -> Vec<Case> {
        let c = |what, policies, freeze, change, labels, approvals, teams, self_ok, hours, frozen| Case {
            what,
            policies,
            freeze,
            change,
            labels,
            approvals,
            teams,
            self_ok,
            hours,
            frozen,
        };
        vec![
            // One matching policy.
            c(
                "new daemon on the lax provider",
                strict_a_lax_b,
                None,
                Change::Deploy("fresh1", &[B]),
                &[PB][..],
                1,
                &[][..],
                true,
                48,
                None,
            ),
            c(
                "new daemon on the cluster's policy",
                strict_a_cluster_b,
                None,
                Change::Deploy("fresh2", &[B]),
                &["cluster prod"][..],
                1,
                &["platform"][..],
                false,
                72,
                None,
            ),
            c(
                "update staying on b",
                strict_a_lax_b,
                None,
                Change::Update("on-b", &[B]),
                &[PB][..],
                1,
                &[][..],
                true,
                48,
                None,
            ),
            c(
                "delete: where the daemon runs now",
                strict_a_lax_b,
                None,
                Change::Delete("on-a"),
                &[PA][..],
                2,
                &["security"][..],
                false,
                24,
                None,
            ),
            c(
                "delete on the lax provider",
                strict_a_lax_b,
                None,
                Change::Delete("on-b"),
                &[PB][..],
                1,
                &[][..],
                true,
                48,
                None,
            ),
            c(
                "deleting a revision touches no cluster",
                open,
                None,
                Change::DeleteRevision,
                &["all clusters (*)"][..],
                0,
                &[][..],
                false,
                72,
                Some(false),
            ),
            // Several matching policies: max count, union of teams, self only if all allow, shortest expiry.
            c(
                "new daemon on both",
                strict_a_lax_b,
                None,
                Change::Deploy("fresh3", &[A, B]),
                &[PA, PB][..],
                2,
                &[][..],
                false,
                24,
                None,
            ),
            c(
                "move from [a, b] to [b] keeps a's policy",
                strict_a_lax_b,
                None,
                Change::Update("on-ab", &[B]),
                &[PA, PB][..],
                2,
                &[][..],
                false,
                24,
                None,
            ),
            c(
                "two providers with different teams",
                strict_a_cluster_b,
                None,
                Change::Update("on-ab", &[A, B]),
                &[PA, "cluster prod"][..],
                2,
                &["security", "platform"][..],
                false,
                24,
                None,
            ),
            c(
                "delete on two providers",
                strict_a_cluster_b,
                None,
                Change::Delete("on-ab"),
                &[PA, "cluster prod"][..],
                2,
                &["security", "platform"][..],
                false,
                24,
                None,
            ),
            c(
                "rollback from a to b",
                strict_a_lax_b,
                None,
                Change::Rollback("on-a", &[B]),
                &[PA, PB][..],
                2,
                &[][..],
                false,
                24,
                None,
            ),
            c(
                "rollback onto a",
                strict_a_cluster_b,
                None,
                Change::Rollback("on-b", &[A]),
                &[PA, "cluster prod"][..],
                2,
                &["security", "platform"][..],
                false,
                24,
                None,
            ),
            // Freezes on the same scope.
            c(
                "frozen provider: delete is held",
                open,
                Some(A),
                Change::Delete("on-a"),
                &["cluster prod"][..],
                0,
                &[][..],
                false,
                72,
                Some(true),
            ),
            c(
                "frozen provider: moving off it is held",
                open,
                Some(A),
                Change::Update("on-ab", &[B]),
                &["cluster prod"][..],
                0,
                &[][..],
                false,
                72,
                Some(true),
            ),
            c(
                "frozen provider: rolling back onto it is held",
                open,
                Some(A),
                Change::Rollback("on-b", &[A]),
                &["cluster prod"][..],
                0,
                &[][..],
                false,
                72,
                Some(true),
            ),
            c(
                "frozen provider: elsewhere executes",
                open,
                Some(A),
                Change::Deploy("fresh4", &[B]),
                &["cluster prod"][..],
                0,
                &[][..],
                false,
                72,
                Some(false),
            ),
            c(
                "frozen cluster: delete is held",
                open,
                Some(""),
                Change::Delete("on-b"),
                &["cluster prod"][..],
                0,
                &[][..],
                false,
                72,
                Some(true),
            ),
        ]
    }

    async fn set_policies(app: &TestApp, rows: &[Policy]) {
        sqlx::query("DELETE FROM policies").execute(app.state.services.db.pool()).await.unwrap();
        for p in rows {
            policies::upsert(&app.state.services.db, p, "test").await.unwrap();
        }
    }

    async fn set_freeze(app: &TestApp, provider: Option<&str>) {
        sqlx::query("DELETE FROM freeze_windows").execute(app.state.services.db.pool()).await.unwrap();
        let Some(provider) = provider else { return };
        let now = server::auth::now_ms();
        sqlx::query(
            "INSERT INTO freeze_windows (id, cluster, capacity_provider, kind, starts_at, ends_at, reason, \
             created_by, created_at) VALUES ('f', 'prod', $1, 'once', $2, $3, 'frozen for the test', 'admin', $2)",
        )
        .bind(provider)
        .bind(now - 3_600_000)
        .bind(now + 3_600_000)
        .execute(app.state.services.db.pool())
        .await
        .unwrap();
    }

    fn arn(name: &str) -> String {
        format!("arn:aws:ecs:us-east-1:123456789012:daemon/prod/{name}")
    }

    /// alice asks for `change` through the server functions the pages use; the response.
    async fn submit(app: &TestApp, alice: &reqwest::Client, change: Change) -> (u16, Value) {
        let deploy = |name: &str, providers: &[&str], update: bool, revision: &str, rollback: bool| {
            let mut f: Vec<(String, String)> = vec![
                ("form[cluster]".into(), "prod".into()),
                ("form[daemon_name]".into(), name.into()),
                ("form[family]".into(), "cw-agent".into()),
                ("form[revision]".into(), revision.into()),
                ("form[drain_percent]".into(), "25".into()),
                ("form[bake_time]".into(), "0".into()),
                ("form[critical]".into(), "on".into()),
                ("form[propagate_tags]".into(), "NONE".into()),
            ];
            for (i, p) in providers.iter().enumerate() {
                f.push((format!("form[capacity_providers][{i}]"), p.to_string()));
            }
            if update {
                f.push(("form[daemon_arn]".into(), arn(name)));
            }
            if rollback {
                f.push(("form[rollback]".into(), "1".into()));
            }
            f
        };
        let form: Vec<(String, String)> = match change {
            Change::Deploy(n, p) => deploy(n, p, false, "2", false),
            Change::Update(n, p) => deploy(n, p, true, "2", false),
            Change::Rollback(n, p) => deploy(n, p, true, "1", true),
            Change::Delete(n) => {
                return app.call_with(alice, "delete-daemon", &[("cluster", "prod"), ("name", n)]).await
            }
            Change::DeleteRevision => {
                return app
                    .call_with(alice, "delete-task-definition", &[("family", "scratch"), ("revision", "1")])
                    .await
            }
        };
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        app.call_with(alice, "deploy-daemon", &pairs).await
    }

    async fn detail(app: &TestApp, id: &str) -> Value {
        let (status, body) = app.call("get-change-request", &[("id", id)]).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    async fn run_to_end(app: &TestApp, id: &str) -> Value {
        for _ in 0..400 {
            let r = detail(app, id).await;
            if !["approved", "executing"].contains(&r["row"]["state"].as_str().unwrap()) {
                return r;
            }
            app.advance(5.0).await;
            tokio::time::sleep(Duration::from_millis(120)).await;
        }
        panic!("request {id} did not end");
    }

    /// The daemons the cases work on: `on-a`, `on-b` and `on-ab`, running cw-agent:2.
    async fn fleet(app: &TestApp, alice: &reqwest::Client) {
        set_policies(app, &open()).await;
        for (name, providers) in [("on-a", &[A][..]), ("on-b", &[B][..]), ("on-ab", &[A, B][..])] {
            let (status, body) = submit(app, alice, Change::Deploy(name, providers)).await;
            assert_eq!(status, 200, "{body}");
            let id = body["request"]["id"].as_str().unwrap().to_string();
            assert_eq!(run_to_end(app, &id).await["row"]["state"], "succeeded", "{name}");
        }
    }

    async fn policy_rules_through_submit(engine: Engine) {
        let app =
            TestApp::on(engine).manual_clock().without_drift().settings(|c| c.worker_interval_ms = 100).await;
        let alice = app.as_user("alice").await;
        server::auth::users::ensure_team(&app.state.services.db, "security").await.unwrap();
        app.register("cw-agent", "amazon/cloudwatch-agent:1", "0.25", "0.25").await;
        app.register("cw-agent", "amazon/cloudwatch-agent:2", "0.25", "0.25").await;
        app.register("scratch", "busybox", "0.25", "0.25").await;
        fleet(&app, &alice).await;

        for case in cases() {
            let what = case.what;
            set_policies(&app, &(case.policies)()).await;
            set_freeze(&app, case.freeze).await;
            let (status, body) = submit(&app, &alice, case.change).await;
            assert_eq!(status, 200, "{what}: {body}");
            // Deploys answer {request, next}; deletes answer the request row.
            let row = if body["request"].is_object() { &body["request"] } else { &body };
            let id = row["id"].as_str().unwrap_or_else(|| panic!("{what}: {body}")).to_string();
            let r = detail(&app, &id).await;
            let p = &r["policy"];
            let got_labels: Vec<&str> =
                p["requirements"].as_array().unwrap().iter().map(|q| q["label"].as_str().unwrap()).collect();
            assert_eq!(got_labels, case.labels, "{what}: {p}");
            assert_eq!(p["approvals_required"], case.approvals, "{what}: {p}");
            assert_eq!(r["row"]["approvals_required"], case.approvals, "{what}");
            assert_eq!(p["approver_teams"], json!(case.teams), "{what}: {p}");
            assert_eq!(p["allow_self_approval"], case.self_ok, "{what}: {p}");
            assert_eq!(p["expiry_hours"], case.hours, "{what}: {p}");
            let hours = (r["row"]["expires_at"].as_i64().unwrap() - r["row"]["created_at"].as_i64().unwrap())
                / 3_600_000;
            assert_eq!(hours, case.hours, "{what}: the shortest expiry applies");
            let state = r["row"]["state"].as_str().unwrap().to_string();
            match case.frozen {
                None => {
                    assert_eq!(state, "pending", "{what}");
                    assert!(!r["approvals_missing"].as_array().unwrap().is_empty(), "{what}: {r}");
                }
                Some(true) => {
                    // The worker tries too: still held.
                    server::changes::worker::run_once(&app.state.services.changes).await;
                    let r = detail(&app, &id).await;
                    assert_eq!(r["row"]["state"], "approved", "{what}: {r}");
                    assert_eq!(r["frozen_by"], json!(["frozen for the test"]), "{what}: {r}");
                }
                Some(false) => {
                    assert!(["executing", "succeeded"].contains(&state.as_str()), "{what}: {r}");
                    assert_eq!(r["frozen_by"], json!([]), "{what}");
                }
            }
            // Leave the fleet as it was for the next case.
            let state = detail(&app, &id).await["row"]["state"].as_str().unwrap().to_string();
            if ["pending", "approved"].contains(&state.as_str()) {
                let (status, body) = app.call_with(&alice, "cancel-change-request", &[("id", &id)]).await;
                assert_eq!(status, 200, "{what}: {body}");
            }
        }
    }

    on_both!(policy_rules_through_submit);
}

on_both!(defaults_are_seeded_once, upsert_and_policy_for, freeze_windows, policies_per_environment);
