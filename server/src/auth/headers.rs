//! Browser security headers on every response (pages, server functions, `/api/v1`, static
//! files, errors), and `Secure` on every cookie of a request that came over HTTPS.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue},
    middleware::Next,
    response::Response,
};

use crate::state::AppState;

/// The content security policy. What the pages load: scripts, styles, wasm and the split
/// islands' chunks, all from `/pkg/` ('self'); inline scripts (`early_input.js`, Leptos's
/// hydration bootstrap and resource data), which need 'unsafe-inline' since the shell renders
/// them without a nonce; `WebAssembly.instantiate`, which needs 'wasm-unsafe-eval' (not
/// 'unsafe-eval'); inline `style=` attributes (the progress bar); the `data:` favicon. The
/// islands fetch only the portal itself. No frames, plugins or foreign form targets.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
    script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
    style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; \
    connect-src 'self'; \
    font-src 'self'; \
    object-src 'none'; \
    base-uri 'self'; \
    form-action 'self'; \
    frame-ancestors 'none'";

/// The router layer: adds the headers (without replacing one a handler set) and, over
/// HTTPS, marks every `Set-Cookie` `Secure`.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let https = over_https(&state, &req);
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if https {
        mark_cookies_secure(headers);
    }
    res
}

/// Whether the browser reached the portal over HTTPS: the configuration says so
/// (`PORTAL_PUBLIC_URL` https, `PORTAL_SECURE_COOKIES`), the request URI is https, or a trusted
/// proxy says so in `X-Forwarded-Proto` (from anyone else the header is not believed).
fn over_https(state: &AppState, req: &Request) -> bool {
    if state.auth.public_https || state.auth.secure_cookies || req.uri().scheme_str() == Some("https") {
        return true;
    }
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let proxy = &state.auth.proxy;
    let trusted = peer.is_some_and(|p| proxy.enabled() && proxy.trusts(p));
    trusted && forwarded_https(req.headers())
}

/// `X-Forwarded-Proto: https` (its first entry: the hop nearest the browser).
fn forwarded_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// Appends `; Secure` to every `Set-Cookie` that lacks it.
pub fn mark_cookies_secure(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers.get_all(header::SET_COOKIE).iter().cloned().collect();
    if cookies.is_empty() {
        return;
    }
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        let value = match cookie.to_str() {
            Ok(text) if !has_secure(text) => {
                HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie)
            }
            _ => cookie,
        };
        headers.append(header::SET_COOKIE, value);
    }
}

fn has_secure(cookie: &str) -> bool {
    cookie.split(';').skip(1).any(|attr| attr.trim().eq_ignore_ascii_case("secure"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_get_secure_once() {
        let mut h = HeaderMap::new();
        h.append(header::SET_COOKIE, "a=1; Path=/; HttpOnly".parse().unwrap());
        h.append(header::SET_COOKIE, "b=2; Secure; Path=/".parse().unwrap());
        h.append(header::SET_COOKIE, "secure=3".parse().unwrap());
        mark_cookies_secure(&mut h);
        let all: Vec<&str> = h.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
        assert_eq!(all, vec!["a=1; Path=/; HttpOnly; Secure", "b=2; Secure; Path=/", "secure=3; Secure"]);
    }

    #[test]
    fn the_policy_allows_wasm_but_no_framing_or_eval() {
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
        assert!(CONTENT_SECURITY_POLICY.contains("'wasm-unsafe-eval'"));
        assert!(!CONTENT_SECURITY_POLICY.contains("'unsafe-eval'"));
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-proto", "https, http".parse().unwrap());
        assert!(forwarded_https(&h));
        h.insert("x-forwarded-proto", "http".parse().unwrap());
        assert!(!forwarded_https(&h));
    }
}
