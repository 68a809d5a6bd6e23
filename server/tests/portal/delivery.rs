//! Delivery metrics (`/delivery`): real change requests through the portal against the
//! embedded emulator (a success, a failure from an image that cannot start, a later success),
//! then the figures from the server function and the page, on SQLite and PostgreSQL.
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{Engine, TestApp};

on_both!(figures_of_real_changes);

const FINAL: [&str; 4] = ["succeeded", "failed", "rolled_back", "stopped"];

fn form<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("form[cluster]", "default"),
        ("form[daemon_name]", "agent"),
        ("form[family]", "agent"),
        ("form[capacity_providers][0]", "mi-general"),
        ("form[capacity_providers][1]", "mi-canary"),
        ("form[drain_percent]", "25"),
        ("form[bake_time]", "0"),
        ("form[propagate_tags]", "NONE"),
    ];
    f.extend_from_slice(extra);
    f
}

/// Submits the change as `who` (cluster default needs no approval, so it runs at once) and
/// drives the emulator's clock until the request has ended; returns its id and final state.
async fn change(app: &TestApp, who: &reqwest::Client, extra: &[(&str, &str)]) -> (String, String) {
    let (status, body) = app.call_with(who, "deploy-daemon", &form(extra)).await;
    assert_eq!(status, 200, "{body}");
    let id = body["request"]["id"].as_str().unwrap().to_string();
    let mut last = Value::Null;
    for _ in 0..600 {
        let (status, r) = app.call("get-change-request", &[("id", &id)]).await;
        last = r.clone();
        assert_eq!(status, 200, "{r}");
        let state = r["row"]["state"].as_str().unwrap_or("").to_string();
        if FINAL.contains(&state.as_str()) {
            return (id, state);
        }
        app.advance(5.0).await;
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    panic!("request {id} never ended: {last}");
}

/// (created_at, finished_at) of a request, as the portal stored them (its own clock).
async fn times(app: &TestApp, id: &str) -> (i64, i64) {
    sqlx::query_as::<_, (i64, i64)>("SELECT created_at, finished_at FROM change_requests WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.services.db.pool())
        .await
        .unwrap()
}

async fn metrics(app: &TestApp, who: &reqwest::Client, form: &[(&str, &str)]) -> Value {
    let (status, body) = app.call_with(who, "delivery-metrics", form).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn figures_of_real_changes(engine: Engine) {
    let app = TestApp::on(engine).manual_clock().worker_every_ms(100).without_drift().await;
    let (alice, carol) = (app.as_user("alice").await, app.as_user("carol").await);

    // Nothing yet: zeros and no figures, for any signed-in user.
    let empty = metrics(&app, &carol, &[("query[period]", "7")]).await;
    let m = &empty["metrics"];
    assert_eq!((m["deployments"].clone(), m["changes"].clone()), (json!(0), json!(0)), "{m}");
    assert_eq!(m["change_failure_rate"], Value::Null, "{m}");
    assert_eq!(m["series"].as_array().unwrap().len(), 7, "{m}");

    app.register("agent", "example/agent:1", "0.25", "0.25").await;
    app.register("agent", "example/broken-agent:2", "0.25", "0.25").await;
    app.register("agent", "example/agent:3", "0.25", "0.25").await;
    app.sim_post("/_sim/images/fail", json!({"pattern": "example/broken-agent:*"})).await;

    let (first, state) = change(&app, &alice, &[("form[revision]", "1")]).await;
    assert_eq!(state, "succeeded");
    let (_, daemon) = app.call("get-daemon", &[("cluster", "default"), ("name", "agent")]).await;
    let arn = daemon["arn"].as_str().expect("the daemon's ARN").to_string();
    let (failed, state) = change(&app, &alice, &[("form[daemon_arn]", &arn), ("form[revision]", "2")]).await;
    assert!(["failed", "rolled_back"].contains(&state.as_str()), "the broken image fails: {state}");
    let (restored, state) =
        change(&app, &alice, &[("form[daemon_arn]", &arn), ("form[revision]", "3")]).await;
    assert_eq!(state, "succeeded");

    let (c1, f1) = times(&app, &first).await;
    let (_, f2) = times(&app, &failed).await;
    let (c3, f3) = times(&app, &restored).await;
    let leads = [f1 - c1, f3 - c3];
    let team: String = sqlx::query_scalar("SELECT team FROM change_requests WHERE id = $1")
        .bind(&first)
        .fetch_one(app.state.services.db.pool())
        .await
        .unwrap();
    assert_eq!(team, "platform", "alice deploys for her team");

    // The server function's JSON, as carol (a viewer) reads it.
    let q = [("query[team]", team.as_str()), ("query[cluster]", "default"), ("query[period]", "7")];
    let body = metrics(&app, &carol, &q).await;
    let m = &body["metrics"];
    assert_eq!(m["deployments"], 2, "{m}");
    assert_eq!(m["changes"], 3, "{m}");
    assert_eq!(m["failures"], 1, "{m}");
    assert!((m["change_failure_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9, "{m}");
    assert_eq!(m["lead_time_median_ms"], (leads[0] + leads[1]).div_euclid(2), "{m}");
    assert_eq!(m["lead_time_p90_ms"], leads[0].max(leads[1]), "{m}");
    assert_eq!((m["restored"].clone(), m["not_restored"].clone()), (json!(1), json!(0)), "{m}");
    assert_eq!(m["time_to_restore_median_ms"], f3 - f2, "{m}");
    assert_eq!(m["bucket"], "day");
    let series = m["series"].as_array().unwrap();
    assert_eq!(series.len(), 7);
    assert_eq!(series[6]["deployments"], 2, "all of it today: {m}");
    assert_eq!(series[6]["failures"], 1, "{m}");
    assert_eq!(body["teams"], json!([team]), "{body}");
    assert_eq!(body["clusters"], json!(["default"]), "{body}");
    for chart in ["deployments", "lead_time", "failure_rate", "restore"] {
        assert!(body["charts"][chart].as_str().unwrap().starts_with("<svg role=\"img\""), "{chart}");
    }

    // Other filters see none of it; a period not offered is the field's error.
    let other = metrics(&app, &carol, &[("query[cluster]", "prod"), ("query[period]", "30")]).await;
    assert_eq!(other["metrics"]["changes"], 0, "{other}");
    assert_eq!(other["metrics"]["series"].as_array().unwrap().len(), 30);
    let (status, body) = app.call_with(&carol, "delivery-metrics", &[("query[period]", "14")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["Invalid"]["period"].is_string(), "{body}");

    // The page: four charts, each with a table of the same numbers.
    let res = carol
        .get(format!("{}/delivery?team={team}&cluster=default&period=7", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert_eq!(html.matches("<svg role=\"img\"").count(), 4, "four charts");
    for title in [
        "Successful deployments per day",
        "Median lead time per day",
        "Change failure rate per day",
        "Median time to restore per day",
    ] {
        assert!(html.contains(&format!("aria-label=\"{title}\"")), "{title}");
        assert!(html.contains(&format!("<title>{title}</title>")), "{title}");
    }
    assert_eq!(html.matches("<caption>").count(), 4, "a table per chart");
    assert!(html.contains("<th scope=\"row\">"), "rows are labelled");
    assert!(html.contains("33 %"), "the failure rate");
    assert!(html.contains("(1 of 3 changes)"), "the failure rate's counts");
    assert!(html.contains("(1 restored, 0 not restored)"));
    assert!(html.contains("Deployment frequency (2 successful)"));
    assert!(html.contains("<option value=\"7\" selected"), "the period stays chosen");
    assert!(html.contains(">Last 90 days</option>"));
    assert!(html.contains("reached ECS"), "the definition is on the page");
    // Linked from the navigation and the History page.
    assert!(html.contains("href=\"/delivery\""));
    let history = app.page("/history").await;
    assert!(history.contains("time to restore over this history"), "the History page links here");

    // Anonymous users are refused: the page sends them to sign in, the function answers 401.
    let anon = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = anon.get(format!("{}/delivery", app.address)).send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"));
    let (status, _) = app.call_with(&anon, "delivery-metrics", &[]).await;
    assert_eq!(status, 401);
}
