//! Timing helpers shared by the benchmark examples (`#[path]`-included).
// Each example uses some of these.
#![allow(dead_code)]

use std::time::Instant;

/// `p50 … ms, p95 … ms, p99 … ms` of the samples.
pub fn percentiles(mut ms: Vec<f64>) -> String {
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
    format!("p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms", pct(0.5), pct(0.95), pct(0.99))
}

/// Runs `f` 20 times to warm up, then `n` times one after another; the percentiles.
pub async fn time_async<F, Fut>(n: usize, mut f: F) -> String
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..20 {
        f().await;
    }
    let mut ms = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f().await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    percentiles(ms)
}

/// Signs in through `POST /api/login` (demo password); a client whose requests carry the
/// session cookie, and the cookie (`portal_session=…`) for other tools.
pub async fn sign_in(base: &str, user: &str) -> (reqwest::Client, String) {
    let login = reqwest::Client::new()
        .post(format!("{base}/api/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username={user}&password=demo-password"))
        .send()
        .await
        .unwrap();
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("portal_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
        .expect("signs in");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.parse().unwrap());
    (reqwest::Client::builder().default_headers(headers).build().unwrap(), cookie)
}

/// [`time_async`] of `GET url` (status checked, body read) with `http`.
pub async fn time_get(http: &reqwest::Client, url: &str, n: usize) -> String {
    time_async(n, || {
        let req = http.get(url);
        async move {
            let res = req.send().await.unwrap();
            assert!(res.status().is_success(), "{}", res.status());
            let _ = res.bytes().await.unwrap();
        }
    })
    .await
}
