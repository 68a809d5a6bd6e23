//! Request middleware: who is asking (session cookie → `CurrentUser` in the request
//! extensions, which Leptos hands to server functions and SSR through `Parts`), the login
//! redirect for anonymous page views, and the cross-origin check for state-changing requests.

use std::net::SocketAddr;

use app::auth::{cookie_value, ClientIp, CurrentUser, TokenAuth, SESSION_COOKIE};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    Json,
};
use serde_json::json;

use super::{proxy, sessions, tokens};
use crate::state::AppState;

/// Resolves who is asking into request extensions — in this order: the identity headers of a
/// trusted SSO proxy, an API token (`Authorization: Bearer dpt_…`, which then also excludes the
/// session cookie), the session cookie — plus the client address. Sends anonymous page views
/// to `/login?next=…`; an unknown, expired or revoked token gets 401 JSON.
pub async fn resolve_user(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let proxy = &state.auth.proxy;
    let trusted_peer = peer.is_some_and(|p| proxy.enabled() && proxy.trusts(p));
    let ip = peer.map(|p| proxy.client_ip(p, req.headers()).to_string()).unwrap_or_default();
    req.extensions_mut().insert(ClientIp(ip.clone()));

    // Static files and health checks need no user: no database round trip for them (and
    // /readyz must answer for itself when the database is down).
    let path = req.uri().path();
    let anonymous_path = path.starts_with("/pkg/") || path == "/healthz" || path == "/readyz";
    let mut signed_in = false;
    if !anonymous_path {
        match identify(&state, req.headers(), trusted_peer, &ip).await {
            Ok(Some((user, token))) => {
                req.extensions_mut().insert(user);
                if let Some(token_id) = token {
                    req.extensions_mut().insert(TokenAuth { token_id });
                }
                signed_in = true;
            }
            Ok(None) => {}
            Err(response) => return *response,
        }
    }

    if !signed_in
        && (req.method() == Method::GET || req.method() == Method::HEAD)
        && needs_login(req.uri().path())
    {
        let path_and_query = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let target = if path_and_query == "/" {
            "/login".to_string()
        } else {
            format!("/login?next={}", encode_component(path_and_query))
        };
        return Redirect::to(&target).into_response();
    }
    next.run(req).await
}

/// The user (and, if by token, the token's id) from the proxy headers, a bearer token or the
/// session cookie; `Err` is the answer to send instead (a refused token, a dead database).
async fn identify(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    trusted_peer: bool,
    ip: &str,
) -> Result<Option<(CurrentUser, Option<String>)>, Box<Response>> {
    if trusted_peer {
        if let Some(identity) = state.auth.proxy.identity(headers) {
            return match proxy::sign_in(&state.services.db, &state.auth.proxy, &identity, ip)
                .await
                .map_err(unavailable)?
            {
                proxy::SsoSignIn::User(user) => Ok(Some((user, None))),
                proxy::SsoSignIn::Disabled => Ok(None),
                proxy::SsoSignIn::NameTaken => Err(Box::new(sso_name_taken())),
            };
        }
    }
    if let Some(secret) = bearer(headers) {
        return match tokens::resolve(&state.services.db, secret).await.map_err(unavailable)? {
            Ok(resolved) => Ok(Some((resolved.user, Some(resolved.token_id)))),
            Err(reason) => {
                tracing::info!(?reason, "API token refused");
                Err(Box::new(token_refused()))
            }
        };
    }
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| cookie_value(h, SESSION_COOKIE).map(str::to_string));
    match token {
        Some(token) => {
            Ok(sessions::resolve(&state.services.db, &token).await.map_err(unavailable)?.map(|u| (u, None)))
        }
        None => Ok(None),
    }
}

/// The credentials of `Authorization: Bearer …`, if the request has that header.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

fn token_refused() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
        Json(json!({"error": {
            "code": "invalid_token",
            "message": "The API token is unknown, expired or revoked. Create a new one under API tokens."
        }})),
    )
        .into_response()
}

fn sso_name_taken() -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({"error": {
            "code": "sso_name_taken",
            "message": "Your single sign-on name is the name of a local portal account, so it cannot sign you in. Ask an administrator to rename or remove the local account."
        }})),
    )
        .into_response()
}

fn unavailable(e: sqlx::Error) -> Box<Response> {
    tracing::error!(error = %e, "user lookup failed");
    Box::new(
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": {"code": "unavailable", "message": "The database did not answer."}})),
        )
            .into_response(),
    )
}

/// Page paths that need a signed-in user; API, static files, health and the emulator's
/// control API answer for themselves.
fn needs_login(path: &str) -> bool {
    // `/iac/export` answers 401 itself: scripts call it with a token, and a redirect to a
    // login page is no answer for them.
    const OPEN: [&str; 6] = ["/api/", "/pkg/", "/_sim/", "/healthz", "/readyz", "/iac/export"];
    !(path == "/login" || OPEN.iter().any(|p| path.starts_with(p)) || path == "/favicon.ico")
}

/// Percent-encoding for a query value.
fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Refuses a state-changing request whose `Origin` (or, without one, `Referer`) names another
/// host than the request's `Host`, and one that carries a session cookie but names no origin at
/// all: browsers name it on every POST (Chromium sends `Origin` with fetches and form posts),
/// so a cookie without it is not a page of the portal speaking. Requests with neither header
/// and no session (curl, API clients, signing in) pass, and so do bearer-token requests
/// without cookies: a browser cannot attach an `Authorization` header to a cross-site request
/// without a CORS preflight the portal never grants, and with no cookie there is no ambient
/// session to abuse.
pub async fn same_origin(req: Request, next: Next) -> Response {
    let changes_state = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    let token_only = bearer(req.headers()).is_some() && !req.headers().contains_key(header::COOKIE);
    if !changes_state || token_only {
        return next.run(req).await;
    }
    let headers = req.headers();
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .map(|v| v.to_str().unwrap_or(""));
    let Some(source) = source else {
        if carries_session(headers) {
            tracing::warn!("state-changing request with a session cookie and no origin refused");
            return (
                StatusCode::FORBIDDEN,
                Json(json!({"error": {
                    "code": "origin_required",
                    "message": "This request carries a session cookie but does not say which site it came from (no Origin or Referer header), so it was refused. Use the portal's own pages, or an API token for automation."
                }})),
            )
                .into_response();
        }
        return next.run(req).await;
    };
    // The request's own host, and the one a reverse proxy says the browser used (a browser
    // cannot set `X-Forwarded-Host` on a cross-site form post, so accepting it is safe).
    let hosts: Vec<String> = [headers.get(header::HOST), headers.get("x-forwarded-host")]
        .into_iter()
        .flatten()
        .filter_map(|h| h.to_str().ok())
        .map(|h| h.split(',').next().unwrap_or("").trim().to_string())
        .chain(req.uri().authority().map(|a| a.to_string()))
        .collect();
    let allowed = origin_host(source).is_some_and(|from| hosts.iter().any(|h| from.eq_ignore_ascii_case(h)));
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!(origin = source, "cross-origin request refused");
        (
            StatusCode::FORBIDDEN,
            Json(json!({"error": {
                "code": "cross_origin",
                "message": "This request came from another site and was refused. Use the portal's own pages."
            }})),
        )
            .into_response()
    }
}

/// Whether the request has a (non-empty) session cookie.
fn carries_session(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|h| cookie_value(h, SESSION_COOKIE).is_some_and(|v| !v.is_empty()))
}

/// `host[:port]` of an `Origin` or `Referer` value; `None` for `null` or anything unparsable.
fn origin_host(value: &str) -> Option<String> {
    let (_, rest) = value.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    (!authority.is_empty()).then(|| authority.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_hosts_are_parsed() {
        assert_eq!(origin_host("http://127.0.0.1:3000").as_deref(), Some("127.0.0.1:3000"));
        assert_eq!(origin_host("https://portal.example/daemons?x=1").as_deref(), Some("portal.example"));
        assert_eq!(origin_host("null"), None);
        assert_eq!(origin_host("http://"), None);
    }

    #[test]
    fn only_a_non_empty_session_cookie_counts() {
        let mut h = axum::http::HeaderMap::new();
        assert!(!carries_session(&h));
        h.insert(header::COOKIE, "theme=dark; portal_session=".parse().unwrap());
        assert!(!carries_session(&h));
        h.append(header::COOKIE, "portal_session=abc".parse().unwrap());
        assert!(carries_session(&h));
    }

    #[test]
    fn only_pages_need_login() {
        assert!(needs_login("/"));
        assert!(needs_login("/daemons"));
        for open in ["/login", "/api/login", "/pkg/daemon-portal.js", "/healthz", "/readyz", "/_sim/clock"] {
            assert!(!needs_login(open), "{open}");
        }
        assert_eq!(encode_component("/daemons?cluster=a&b"), "/daemons%3Fcluster%3Da%26b");
    }
}
