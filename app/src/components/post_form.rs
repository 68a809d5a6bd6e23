//! `PostForm`: a form that posts to a server function the way the browser would.
//!
//! Leptos' `ActionForm` decodes the form into the server function's argument type in the
//! browser (serde_qs) and then encodes it again to send it. That puts serde_qs and the
//! `Serialize`/`Deserialize` code of every form type into the wasm, although the server decodes
//! the form anyway. `PostForm` sends the form's own fields, URL-encoded, as a browser without
//! JavaScript does, and decodes only the answer. Without wasm it is the same plain POST, so the
//! server's no-JavaScript handling (redirect back, errors in the URL) is unchanged.

use std::marker::PhantomData;

use leptos::{
    prelude::*,
    server_fn::{error::ServerFnUrlError, ServerFn},
};
use serde::de::DeserializeOwned;

use crate::api::PortalError;

/// The submissions of one form: what `ServerAction<S>` offers the pages (`value`, `version`,
/// `pending`), without ever building an `S` in the browser.
pub struct FormAction<S: ServerFn> {
    action: Action<String, Result<S::Output, PortalError>>,
    server_fn: PhantomData<fn() -> S>,
}

impl<S: ServerFn> Clone for FormAction<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ServerFn> Copy for FormAction<S> {}

impl<S> FormAction<S>
where
    S: ServerFn<Error = PortalError>,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        // A plain (no-JavaScript) post that failed comes back to the page with the error in the
        // URL; leptos_axum puts it in the context, and the page renders it as this form's answer.
        let failed = use_context::<leptos::server::ServerActionError>()
            .filter(|e| e.path() == S::PATH)
            .map(|e| Err(ServerFnUrlError::<PortalError>::decode_err(e.err())));
        Self {
            action: Action::new_with_value(failed, |body: &String| post::<S::Output>(S::url(), body.clone())),
            server_fn: PhantomData,
        }
    }

    /// The last answer: `None` until the first submission returns.
    pub fn value(&self) -> MappedSignal<Option<Result<S::Output, PortalError>>> {
        self.action.value()
    }

    /// Counts finished submissions; keys resources that should load again after one.
    pub fn version(&self) -> RwSignal<usize> {
        self.action.version()
    }

    pub fn pending(&self) -> Memo<bool> {
        self.action.pending()
    }

    fn submit(&self, body: String) {
        self.action.dispatch(body);
    }
}

/// `<form method="post" action=S::url()>`; with wasm, the submission goes through `action`.
#[component]
pub fn PostForm<S>(action: FormAction<S>, children: Children) -> impl IntoView
where
    S: ServerFn<Error = PortalError> + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        if let Some(body) = url_encoded(&ev) {
            ev.prevent_default();
            action.submit(body);
        }
    };
    view! {
        <form method="post" action=S::url() on:submit=on_submit>
            {children()}
        </form>
    }
}

/// The form's fields (and the button that submitted it) as `application/x-www-form-urlencoded`.
#[cfg(feature = "hydrate")]
fn url_encoded(ev: &leptos::ev::SubmitEvent) -> Option<String> {
    let data = leptos::form::form_data_from_event(ev).ok()?;
    let params = leptos::web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
    Some(params.to_string().into())
}

#[cfg(not(feature = "hydrate"))]
fn url_encoded(_ev: &leptos::ev::SubmitEvent) -> Option<String> {
    None
}

/// POSTs `body` to a server function and decodes its JSON answer or `PortalError`, following
/// a redirect the server asks for (through the hook `lib.rs` sets).
#[cfg(feature = "hydrate")]
async fn post<O: DeserializeOwned>(url: &'static str, body: String) -> Result<O, PortalError> {
    use leptos::server_fn::{
        client::{browser::BrowserClient, Client},
        error::FromServerFnError,
        redirect::call_redirect_hook,
        request::ClientReq,
        response::ClientRes,
    };
    type Request = <BrowserClient as Client<PortalError>>::Request;
    let req = <Request as ClientReq<PortalError>>::try_new_post(
        url,
        "application/x-www-form-urlencoded",
        "application/json",
        body,
    )?;
    let res = <BrowserClient as Client<PortalError>>::send(req).await?;
    type Response = <BrowserClient as Client<PortalError>>::Response;
    let (status, location, redirect) = (
        <Response as ClientRes<PortalError>>::status(&res),
        <Response as ClientRes<PortalError>>::location(&res),
        <Response as ClientRes<PortalError>>::has_redirect(&res),
    );
    let bytes = <Response as ClientRes<PortalError>>::try_into_bytes(res).await?;
    let answer = if (400..=599).contains(&status) {
        Err(PortalError::de(bytes))
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|e| PortalError::Internal(format!("unexpected answer from {url}: {e}")))
    };
    if redirect || (300..=399).contains(&status) {
        call_redirect_hook(&location);
    }
    answer
}

/// The server renders forms but never submits them.
#[cfg(not(feature = "hydrate"))]
async fn post<O>(url: &'static str, _body: String) -> Result<O, PortalError> {
    Err(PortalError::BadRequest(format!("{url}: forms are submitted by the browser")))
}
