//! The browser's form encoding, read in one place. Every form that changes the fleet or the
//! admin data comes in three layers:
//!
//! - the **Form** (`…Form`): the strings exactly as a browser posts them, what `#[server]`
//!   functions receive and islands hold while the user types;
//! - the **Draft** (`…Draft`): the same input typed (`bool`, `Option<u32>`, lists), and
//!   `Deserialize`, so `/api/v1` reads JSON straight into it;
//! - the **Spec** (`…Spec`): newtypes only, what the services receive.
//!
//! Form → Draft reads the wire encoding (checkboxes, numbers, one-per-line lists) and Draft →
//! Spec applies the rules; both report per-field messages (`FieldErrors`), so a form that fails
//! either way shows every message at once.

/// Whether a posted checkbox was ticked: browsers post its value (`on`) when ticked and
/// nothing when not. `false`/`off`/`0` count as unticked for scripts that post every field.
pub fn checked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !matches!(s, "" | "false" | "off" | "0"))
}

/// What a browser posts for a checkbox in state `b` (to prefill a Form from typed data).
pub fn on(b: bool) -> Option<String> {
    b.then(|| "on".to_string())
}

/// A text field the user may leave blank: `None` when it is.
pub fn filled(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkbox_is_ticked_only_when_posted_with_a_value() {
        assert!(checked(&Some("on".into())));
        assert!(checked(&Some("true".into())));
        for off in [None, Some(""), Some("off"), Some("false"), Some("0")] {
            assert!(!checked(&off.map(str::to_string)), "{off:?}");
        }
        assert!(checked(&on(true)) && !checked(&on(false)));
    }

    #[test]
    fn blank_text_is_absent() {
        assert_eq!(filled("  "), None);
        assert_eq!(filled(" 5 "), Some("5"));
    }
}
