//! `/account/tokens`: create an API token (name, expiry, scope), see its secret once, list and
//! revoke the user's tokens. `PostForm`s, so it works before the wasm loads: without
//! JavaScript the new secret comes back through a short-lived cookie scoped to this page.

use crate::components::{refresh_on_ok, reloading, FormAction, PostForm};
use leptos::prelude::*;

use crate::api::tokens::{
    list_api_tokens, ApiTokenRow, CreateApiToken, CreatedToken, RevokeApiToken, TokensPage as TokensData,
};
use crate::api::PortalError;
use crate::components::time::format_epoch;
use crate::components::{ErrorAlert, LoadError, StatusBadge};
use crate::domain::api_token::{self, TokenForm};
use crate::layout::{Crumb, PageHeader};

#[component]
pub fn TokensPage() -> impl IntoView {
    view! {
        <PageHeader title="API tokens" crumbs=vec![Crumb::here("API tokens")] />
        <Suspense fallback=|| view! { <p class="empty-state">"Loading your tokens…"</p> }>
            {Suspend::new(async move {
                let page = list_api_tokens().await;
                view! { <TokensBody page /> }
            })}
        </Suspense>
    }
}

/// The page body is one island: the form is checked in the browser, and creating or revoking
/// refreshes the list in place.
#[island(lazy)]
fn TokensBody(page: Result<TokensData, PortalError>) -> impl IntoView {
    let create = FormAction::<CreateApiToken>::new();
    let revoke = FormAction::<RevokeApiToken>::new();
    let refresh = RwSignal::new(0u32);
    refresh_on_ok(create, refresh);
    refresh_on_ok(revoke, refresh);
    let page = reloading(page, refresh, list_api_tokens);
    move || match page.get() {
        Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
        Ok(p) => {
            let created = p.fresh_secret.clone().map(|secret| (secret, String::new()));
            view! {
                <NewToken create fresh=created />
                <CreateTokenForm create options=p.scope_options.clone() />
                <TokenList tokens=p.tokens.clone() now=p.now revoke />
            }
            .into_any()
        }
    }
}

/// The secret of the token just created, shown once.
#[component]
fn NewToken(create: FormAction<CreateApiToken>, fresh: Option<(String, String)>) -> impl IntoView {
    let shown = move || {
        create
            .value()
            .get()
            .and_then(|r| r.ok())
            .map(|CreatedToken { secret, row }| (secret, row.name))
            .or_else(|| fresh.clone())
    };
    move || {
        shown().map(|(secret, name)| {
            view! {
                <div class="alert success new-token" role="status">
                    <strong>
                        {if name.is_empty() { "Token created".to_string() } else { format!("Token {name} created") }}
                    </strong>
                    <p>"Copy it now: it is not stored and will not be shown again."</p>
                    <code id="new-token-secret" class="mono token-secret">{secret}</code>
                </div>
            }
        })
    }
}

#[component]
fn CreateTokenForm(create: FormAction<CreateApiToken>, options: Vec<String>) -> impl IntoView {
    let defaults = TokenForm::defaults();
    let name = RwSignal::new(defaults.name.clone());
    let days = RwSignal::new(defaults.expires_days.clone());
    let chosen = RwSignal::new(Vec::<String>::new());
    let snapshot = move || TokenForm { name: name.get(), expires_days: days.get(), scope: chosen.get() };
    let client = Memo::new(move |_| snapshot().parse().err().unwrap_or_default());
    let server_error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let errors = crate::components::FieldMessages::new(client, server_error);
    let error_for = move |field: &'static str| errors.field(field);
    let on_submit = errors.on_submit();
    let top_error =
        Signal::derive(move || server_error.get().filter(|e| !matches!(e, PortalError::Invalid(_))));
    let pending = create.pending();
    let scope_error = error_for("scope");
    view! {
        <div class="panel">
            <h2>"Create a token"</h2>
            <p class="help">
                "A token lets a CI pipeline call the automation API ("
                <a href="/api/v1/openapi.json">"/api/v1"</a>
                ") as you, with at most the roles you choose here. Send it as "
                <code>"Authorization: Bearer dpt_…"</code>"."
            </p>
            <ErrorAlert error=top_error />
            <PostForm action=create>
                <crate::components::TextField
                    id="token-name"
                    name="form[name]"
                    label="Token name"
                    value=name
                    error=error_for("name")
                    help="What uses it, e.g. payments-ci. Up to 64 characters."
                    required=true
                />
                <crate::components::TextField
                    id="token-days"
                    name="form[expires_days]"
                    label="Expires in (days)"
                    value=days
                    error=error_for("expires_days")
                    help=format!("From {} to {} days.", api_token::MIN_DAYS, api_token::MAX_DAYS)
                    input_type="number"
                    required=true
                />
                <fieldset class="field" aria-describedby="token-scope-help token-scope-error">
                    <legend>"Scope"</legend>
                    <p class="help" id="token-scope-help">
                        "The roles the token acts with: some or all of yours, never more."
                    </p>
                    {if options.is_empty() {
                        view! { <p class="empty-state">"You have no roles to give a token."</p> }.into_any()
                    } else {
                        options
                            .into_iter()
                            .enumerate()
                            .map(|(i, value)| {
                                let id = format!("token-scope-{i}");
                                let v1 = value.clone();
                                let v2 = value.clone();
                                view! {
                                    <div class="field inline">
                                        <input
                                            type="checkbox"
                                            id=id.clone()
                                            name=format!("form[scope][{i}]")
                                            value=value.clone()
                                            prop:checked=move || chosen.with(|c| c.contains(&v1))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                chosen.update(|c| {
                                                    c.retain(|x| *x != v2);
                                                    if on {
                                                        c.push(v2.clone());
                                                    }
                                                });
                                            }
                                        />
                                        <label for=id>{value}</label>
                                    </div>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                    <div class="error" id="token-scope-error" aria-live="polite">{move || scope_error.get()}</div>
                </fieldset>
                <div class="form-actions">
                    <button type="submit" class="btn primary" on:click=on_submit disabled=move || pending.get()>
                        {move || if pending.get() { "Creating…" } else { "Create token" }}
                    </button>
                </div>
            </PostForm>
        </div>
    }
}

#[component]
fn TokenList(tokens: Vec<ApiTokenRow>, now: i64, revoke: FormAction<RevokeApiToken>) -> impl IntoView {
    let ms = |t: i64| format_epoch(t as f64 / 1000.0);
    view! {
        <div class="panel">
            <h2>"Your tokens"</h2>
            <ErrorAlert error=Signal::derive(move || revoke.value().get().and_then(|r| r.err())) />
            {if tokens.is_empty() {
                view! { <p class="empty-state">"You have no API tokens."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                    <table class="data" aria-label="API tokens">
                        <thead>
                            <tr>
                                <th>"Name"</th>
                                <th>"Token"</th>
                                <th>"Scope"</th>
                                <th>"Status"</th>
                                <th>"Created"</th>
                                <th>"Expires"</th>
                                <th>"Last used"</th>
                                <th>"Actions"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {tokens
                                .into_iter()
                                .map(|t| {
                                    let status = t.status(now);
                                    let active = status == "active";
                                    let id = t.id.clone();
                                    let label = format!("Revoke {}", t.name);
                                    view! {
                                        <tr data-token-id=t.id.clone()>
                                            <td>{t.name.clone()}</td>
                                            <td class="mono">{format!("{}…", t.prefix)}</td>
                                            <td>{t.scope.join(", ")}</td>
                                            <td><StatusBadge status=status.to_uppercase() /></td>
                                            <td>{ms(t.created_at)}</td>
                                            <td>{ms(t.expires_at)}</td>
                                            <td>{t.last_used_at.map(ms).unwrap_or_else(|| "Never".into())}</td>
                                            <td>
                                                {active.then(move || view! {
                                                    <PostForm action=revoke>
                                                        <input type="hidden" name="id" value=id />
                                                        <button
                                                            type="submit"
                                                            class="btn danger"
                                                            aria-label=label
                                                        >
                                                            "Revoke"
                                                        </button>
                                                    </PostForm>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    </div>
                }
                    .into_any()
            }}
        </div>
    }
}
