//! Which message a form field shows: one rule for every island's form.
//!
//! - The browser's own check (the domain's `parse`, run on every change) once the user touched
//!   the field or tried to submit: no message for a field nobody has typed in yet.
//! - Otherwise the server's answer to the last submit, until the user edits that field: after
//!   an edit the server's message may be about a value the field no longer holds, and the
//!   browser's check speaks for the field instead.
//!
//! Fields are named by their error key (`family`, `containers.0.env.1.key`); [`field_key`]
//! turns a posted input name into one, so a single handler on the form can mark what changed.

use leptos::prelude::*;

use crate::{api::PortalError, domain::FieldErrors};

/// What the user has done to the form so far. Lists, not sets: a form has a few dozen fields,
/// and a set's hashing would be more code in every island's wasm.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Seen {
    /// A submit was tried.
    pub submitted: bool,
    /// Fields changed since the form opened.
    pub touched: Vec<String>,
    /// Fields changed since the last submit.
    pub edited: Vec<String>,
}

fn has(list: &[String], key: &str) -> bool {
    list.iter().any(|k| k == key)
}

/// The rule, on plain data: the message `key` shows.
pub fn shown<'a>(
    key: &str,
    client: &'a FieldErrors,
    server: Option<&'a FieldErrors>,
    seen: &Seen,
) -> Option<&'a str> {
    let client = (seen.submitted || has(&seen.touched, key)).then(|| client.get(key)).flatten();
    client.or_else(|| if has(&seen.edited, key) { None } else { server.and_then(|s| s.get(key)) })
}

/// The rule for a form the browser does not check and whose fields are not tracked: the
/// server's message for `key` in its last answer. A plain function, so such a form carries no
/// signals for it.
pub fn server_message(answer: Option<&PortalError>, key: &str) -> Option<String> {
    answer.and_then(PortalError::fields).and_then(|f| f.get(key)).map(str::to_string)
}

/// A posted input name → its error key: `form[containers][0][env][1][key]` →
/// `containers.0.env.1.key`. A trailing index belongs to a list whose message is the list's
/// own (`form[capacity_providers][2]`, `form[alarms][]` → `capacity_providers`, `alarms`).
pub fn field_key(name: &str) -> String {
    let name = name.strip_prefix("form").filter(|n| n.starts_with('[')).unwrap_or(name);
    let mut parts: Vec<&str> = name.split(['[', ']']).filter(|p| !p.is_empty()).collect();
    while parts.len() > 1 && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        parts.pop();
    }
    parts.join(".")
}

/// The messages of one form in an island: its browser check, the server's answer, and what
/// the user did (see the module's rule).
#[derive(Clone, Copy)]
pub struct FieldMessages {
    client: Signal<FieldErrors>,
    server: Signal<Option<PortalError>>,
    seen: RwSignal<Seen>,
}

impl FieldMessages {
    pub fn new(client: impl Into<Signal<FieldErrors>>, server: Signal<Option<PortalError>>) -> Self {
        Self { client: client.into(), server, seen: RwSignal::new(Seen::default()) }
    }

    /// The message under field `key`.
    pub fn field(self, key: impl Into<String>) -> Signal<Option<String>> {
        let key = key.into();
        Signal::derive(move || {
            self.client.with(|client| {
                self.server.with(|server| {
                    self.seen.with(|seen| {
                        shown(&key, client, server.as_ref().and_then(PortalError::fields), seen)
                            .map(str::to_string)
                    })
                })
            })
        })
    }

    /// The user changed field `key`.
    pub fn touch(self, key: &str) {
        // Only the first change of a field notifies; typing on does not recompute every message.
        let new = self.seen.with_untracked(|s| !has(&s.touched, key) || !has(&s.edited, key));
        if new {
            self.seen.update(|s| {
                for list in [&mut s.touched, &mut s.edited] {
                    if !has(list, key) {
                        list.push(key.to_string());
                    }
                }
            });
        }
    }

    /// An `input`/`change` event from a field inside the form (named `form[…]`).
    pub fn touch_event(self, ev: &leptos::ev::Event) {
        if let Some(name) = super::events::target_name(ev) {
            self.touch(&field_key(&name));
        }
    }

    /// A submit was tried: every browser message shows, and the coming answer is fresh.
    pub fn submit(self) {
        self.seen.update(|s| {
            s.submitted = true;
            s.edited.clear();
        });
    }

    /// The form was sent and accepted; it starts over.
    pub fn reset(self) {
        self.seen.set(Seen::default());
    }

    /// The browser's check of the whole form.
    pub fn client(self) -> Signal<FieldErrors> {
        self.client
    }

    pub fn submitted(self) -> bool {
        self.seen.with(|s| s.submitted)
    }

    /// Whether the browser's check found nothing wrong (read without tracking, for click handlers).
    pub fn client_ok(self) -> bool {
        self.client.with_untracked(FieldErrors::is_empty)
    }

    /// The submit button's click: shows the browser's messages, and keeps a form it already
    /// knows is wrong from being sent.
    pub fn on_submit(self) -> impl Fn(leptos::ev::MouseEvent) + Copy {
        move |ev| {
            self.submit();
            if !self.client_ok() {
                ev.prevent_default();
            }
        }
    }

    /// The alert at the top of the form: the browser's messages after a blocked submit,
    /// otherwise the server's answer.
    pub fn top(self) -> Signal<Option<PortalError>> {
        Signal::derive(move || {
            let client = self.client.get();
            if self.submitted() && !client.is_empty() {
                Some(PortalError::Invalid(client))
            } else {
                self.server.get()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(pairs: &[(&str, &str)]) -> FieldErrors {
        let mut e = FieldErrors::new();
        for (k, v) in pairs {
            e.add(*k, *v);
        }
        e
    }

    fn seen(submitted: bool, touched: &[&str], edited: &[&str]) -> Seen {
        Seen {
            submitted,
            touched: touched.iter().map(|s| s.to_string()).collect(),
            edited: edited.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn the_browser_check_shows_once_touched_or_submitted() {
        let client = errors(&[("family", "Enter a family."), ("containers.0.image", "Enter an image.")]);
        let fresh = Seen::default();
        assert_eq!(shown("family", &client, None, &fresh), None, "nothing before the user acts");
        let typed = seen(false, &["family"], &["family"]);
        assert_eq!(shown("family", &client, None, &typed), Some("Enter a family."));
        assert_eq!(shown("containers.0.image", &client, None, &typed), None, "only the touched field");
        let tried = seen(true, &[], &[]);
        assert_eq!(shown("containers.0.image", &client, None, &tried), Some("Enter an image."));
    }

    #[test]
    fn the_server_answer_shows_until_the_field_is_edited() {
        let client = FieldErrors::new();
        let server = errors(&[("family", "Team b owns this family."), ("cluster", "No such cluster.")]);
        let answered = seen(true, &[], &[]);
        assert_eq!(shown("family", &client, Some(&server), &answered), Some("Team b owns this family."));
        let edited = seen(true, &["family"], &["family"]);
        assert_eq!(shown("family", &client, Some(&server), &edited), None, "it spoke of the old value");
        assert_eq!(shown("cluster", &client, Some(&server), &edited), Some("No such cluster."));
        let client = errors(&[("family", "Enter a family.")]);
        assert_eq!(
            shown("family", &client, Some(&server), &edited),
            Some("Enter a family."),
            "browser first"
        );
    }

    #[test]
    fn input_names_become_error_keys_with_list_indexes_where_they_name_a_row() {
        assert_eq!(field_key("form[family]"), "family");
        assert_eq!(field_key("form[containers][0][image]"), "containers.0.image");
        assert_eq!(field_key("form[containers][1][env][12][key]"), "containers.1.env.12.key");
        assert_eq!(field_key("form[capacity_providers][2]"), "capacity_providers");
        assert_eq!(field_key("form[alarms][]"), "alarms");
        assert_eq!(field_key("username"), "username");
        assert_eq!(field_key("format"), "format");
        assert_eq!(field_key(""), "");
    }
}
