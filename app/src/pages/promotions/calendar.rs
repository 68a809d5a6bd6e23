//! `/calendar?month=YYYY-MM`: a month (UTC) of delivery windows, freeze windows, promotions
//! started and stages scheduled to start when a window opens. Server-rendered; the month links
//! are plain links.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::windows::{get_calendar, CalendarMonth};
use crate::components::{resource::Resource, LoadError};
use crate::layout::{Crumb, PageHeader};

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

#[component]
pub fn CalendarPage() -> impl IntoView {
    let query = use_query_map();
    let month = query.read_untracked().get("month").unwrap_or_default();
    let data = Resource::new_with_options(move || month.clone(), get_calendar, false);
    view! {
        <PageHeader title="Calendar" crumbs=vec![Crumb::link("Promotions", "/pipelines"), Crumb::here("Calendar")] />
        <Suspense fallback=|| view! { <p class="empty-state">"Loading the calendar…"</p> }>
            {move || data.get().map(|r| match r {
                Err(e) => view! { <LoadError error=e /> }.into_any(),
                Ok(m) => view! { <Month m /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Month(m: CalendarMonth) -> impl IntoView {
    let blanks = (0..m.leading_blanks)
        .map(|_| view! { <li class="calendar-day blank" aria-hidden="true"></li> })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="calendar-title">
            <header>
                <a href=format!("/calendar?month={}", m.previous) aria-label="Previous month">"‹ Previous"</a>
                <h2 id="calendar-title">{m.title.clone()}" (UTC)"</h2>
                <a href=format!("/calendar?month={}", m.next) aria-label="Next month">"Next ›"</a>
            </header>
            <p class="help">
                <span class="badge ok">"Allow"</span>" "<span class="badge err">"Deny"</span>" "<span class="badge warn">"Freeze"</span>" "
                <span class="badge info">"Promotion"</span>" "<span class="badge muted">"Scheduled stage"</span>
            </p>
            <ol class="calendar-weekdays" aria-hidden="true">
                {WEEKDAYS.iter().map(|d| view! { <li>{*d}</li> }).collect_view()}
            </ol>
            <ol class="calendar" aria-label=format!("Days of {}", m.title)>
                {blanks}
                {m.days.into_iter().map(|d| {
                    let label = format!("{}, {} entries", d.date, d.entries.len());
                    view! {
                        <li class="calendar-day" aria-label=label>
                            <span class="calendar-date">{d.day}</span>
                            <ul>
                                {d.entries.into_iter().map(|e| {
                                    let tone = match e.kind.as_str() { "allow" => "ok", "deny" => "err", "freeze" => "warn", "promotion" => "info", _ => "muted" };
                                    let text = format!("{} {}", e.time, e.label);
                                    view! {
                                        <li class=format!("calendar-entry {}", e.kind)>
                                            <span class=format!("badge {tone}")></span>
                                            {match e.href {
                                                Some(h) => view! { <a href=h>{text}</a> }.into_any(),
                                                None => view! { <span>{text}</span> }.into_any(),
                                            }}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
