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
//!
//! [`shown`] is the rule on plain data. Islands hold it as [`TrackedFieldMessages`] when they
//! mark the fields the user changes (the deploy form, the task definition editor), and as
//! [`FieldMessages`] when they do not (the admin pages, API tokens): there no field is ever
//! touched or edited, and the rule reduces to "the browser's check after a submit, otherwise
//! the server's answer".

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

/// The messages of a form in an island that does not track its fields: its browser check,
/// the server's answer, and whether a submit was tried (the module's rule with no field
/// touched or edited).
///
/// Kept apart from [`TrackedFieldMessages`] for the wasm's sake: the islands ship as split
/// modules, and all code reachable from an island is downloaded with it. The tracked lists'
/// signal (its own copy of reactive_graph's signal code) cost about 1.3 KB gzipped on each
/// admin page, so forms that never call `touch` keep to a `RwSignal<bool>`, whose code the
/// islands already share.
#[derive(Clone, Copy)]
pub struct FieldMessages {
    client: Memo<FieldErrors>,
    server: Signal<Option<PortalError>>,
    submitted: RwSignal<bool>,
}

impl FieldMessages {
    pub fn new(client: Memo<FieldErrors>, server: Signal<Option<PortalError>>) -> Self {
        Self { client, server, submitted: RwSignal::new(false) }
    }

    /// The message under field `key`.
    pub fn field(self, key: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || {
            let seen = Seen { submitted: self.submitted.get(), ..Seen::default() };
            message(key, self.client, self.server, &seen)
        })
    }

    /// The form was sent and accepted; it starts over.
    pub fn reset(self) {
        self.submitted.set(false);
    }

    /// The submit button's click: shows the browser's messages, and keeps a form it already
    /// knows is wrong from being sent.
    pub fn on_submit(self) -> impl Fn(leptos::ev::MouseEvent) + Copy {
        move |ev| {
            self.submitted.set(true);
            if !client_ok(self.client) {
                ev.prevent_default();
            }
        }
    }

    /// The alert at the top of the form: the browser's messages after a blocked submit,
    /// otherwise the server's answer.
    pub fn top(self) -> Signal<Option<PortalError>> {
        Signal::derive(move || top(self.client, self.server, self.submitted.get()))
    }
}

/// The messages of a form whose island marks the fields the user changes (`touch`): the
/// module's whole rule.
#[derive(Clone, Copy)]
pub struct TrackedFieldMessages {
    client: Memo<FieldErrors>,
    server: Signal<Option<PortalError>>,
    seen: RwSignal<Seen>,
}

impl TrackedFieldMessages {
    pub fn new(client: Memo<FieldErrors>, server: Signal<Option<PortalError>>) -> Self {
        Self { client, server, seen: RwSignal::new(Seen::default()) }
    }

    /// The message under field `key`.
    pub fn field(self, key: impl Into<String>) -> Signal<Option<String>> {
        let key = key.into();
        Signal::derive(move || message(&key, self.client, self.server, &self.seen.read()))
    }

    /// The user changed field `key`.
    pub fn touch(self, key: &str) {
        // Only the first change of a field notifies; typing on does not recompute every message.
        let new = {
            let seen = self.seen.read_untracked();
            !has(&seen.touched, key) || !has(&seen.edited, key)
        };
        if new {
            let mut seen = self.seen.write();
            let seen = &mut *seen;
            for list in [&mut seen.touched, &mut seen.edited] {
                if !has(list, key) {
                    list.push(key.to_string());
                }
            }
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
        let mut seen = self.seen.write();
        seen.submitted = true;
        seen.edited.clear();
    }

    /// The browser's check of the whole form.
    pub fn client(self) -> Memo<FieldErrors> {
        self.client
    }

    pub fn submitted(self) -> bool {
        self.seen.read().submitted
    }

    /// Whether the browser's check found nothing wrong (read without tracking, for click handlers).
    pub fn client_ok(self) -> bool {
        client_ok(self.client)
    }
}

// Kept small in the wasm, since every island with a form carries it: the browser's check is
// held as the `Memo` each island makes (a `Signal<FieldErrors>` made from it added that type's
// signal code), and the signals are read through guards rather than `with(|…| …)`, since each
// closure given to `with` is its own copy of reactive_graph's read path.

fn message(
    key: &str,
    client: Memo<FieldErrors>,
    server: Signal<Option<PortalError>>,
    seen: &Seen,
) -> Option<String> {
    let server = server.read();
    shown(key, &client.read(), server.as_ref().and_then(PortalError::fields), seen).map(str::to_string)
}

fn client_ok(client: Memo<FieldErrors>) -> bool {
    client.read_untracked().is_empty()
}

fn top(
    client: Memo<FieldErrors>,
    server: Signal<Option<PortalError>>,
    submitted: bool,
) -> Option<PortalError> {
    let client = client.read();
    if submitted && !client.is_empty() {
        Some(PortalError::Invalid(client.clone()))
    } else {
        server.get()
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
