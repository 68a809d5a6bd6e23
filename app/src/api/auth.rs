//! Sign-in and sign-out: server functions. Sessions are cookies set here; the server's
//! middleware resolves them into a `CurrentUser` for every request.

use leptos::prelude::*;

use super::PortalError;
use crate::auth::CurrentUser;

/// Signs in: sets the session cookie (a new session every time) and sends the browser to
/// `next` (a path on this site) or `/`.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    #[server(default)] next: String,
) -> Result<CurrentUser, PortalError> {
    let s = crate::services::services()?;
    let ip = crate::auth::client_ip();
    let (token, user) = s.accounts.login(&username, &password, &ip).await?;
    let secure = s.accounts.always_secure_cookies() || over_https();
    set_cookie(&session_cookie(&token, crate::auth::SESSION_COOKIE_MAX_AGE, secure));
    leptos_axum::redirect(&crate::auth::safe_next(&next));
    Ok(user)
}

/// Signs out: ends the session in the database, clears the cookie and sends the browser to
/// the login page.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), PortalError> {
    let s = crate::services::services()?;
    if let Some(token) = session_token() {
        s.accounts.logout(&token, &crate::auth::client_ip()).await?;
    }
    let secure = s.accounts.always_secure_cookies() || over_https();
    set_cookie(&session_cookie("", 0, secure));
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user, or `None`.
#[server(name = GetCurrentUser, prefix = "/api", endpoint = "current-user")]
pub async fn current_user() -> Result<Option<CurrentUser>, PortalError> {
    Ok(crate::auth::current_user())
}

/// Whether the login page should list the demo accounts (embedded mode).
#[server(prefix = "/api", endpoint = "login-hints")]
pub async fn demo_accounts() -> Result<bool, PortalError> {
    Ok(crate::services::services()?.accounts.demo_accounts())
}

#[cfg(feature = "ssr")]
fn session_cookie(token: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        crate::auth::SESSION_COOKIE,
        if secure { "; Secure" } else { "" }
    )
}

/// Appends a `Set-Cookie` header to the response of this server function.
#[cfg(feature = "ssr")]
pub(crate) fn set_cookie(value: &str) {
    if let (Some(opts), Ok(v)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(value))
    {
        opts.append_header(http::header::SET_COOKIE, v);
    }
}

/// Whether the request reached the portal over HTTPS (directly or through a proxy that says so).
#[cfg(feature = "ssr")]
fn over_https() -> bool {
    use_context::<http::request::Parts>().is_some_and(|p| {
        p.uri.scheme_str() == Some("https")
            || p.headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').next().is_some_and(|v| v.trim().eq_ignore_ascii_case("https")))
    })
}

#[cfg(feature = "ssr")]
fn session_token() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| crate::auth::cookie_value(h, crate::auth::SESSION_COOKIE).map(str::to_string))
}
