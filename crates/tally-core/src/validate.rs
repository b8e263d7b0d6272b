//! Validation of values that cross the API boundary. Each check names the field
//! (`param`, a JSON path) and the rule, so the HTTP layer can answer a precise 400.

use std::collections::BTreeMap;

/// A broken rule on one input field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{param}: {message}")]
pub struct FieldError {
    pub param: String,
    pub message: String,
}

impl FieldError {
    pub fn new(param: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { param: param.into(), message: message.into() }
    }
}

pub type Metadata = BTreeMap<String, String>;

pub const METADATA_MAX_KEYS: usize = 50;
pub const METADATA_MAX_KEY_CHARS: usize = 40;
pub const METADATA_MAX_VALUE_CHARS: usize = 500;

/// D-6: at most 50 keys, key ≤ 40 chars, value ≤ 500 chars, keys not empty.
pub fn metadata(param: &str, m: &Metadata) -> Result<(), FieldError> {
    if m.len() > METADATA_MAX_KEYS {
        return Err(FieldError::new(
            param,
            format!("has {} keys; at most {METADATA_MAX_KEYS} are allowed", m.len()),
        ));
    }
    for (k, v) in m {
        if k.is_empty() {
            return Err(FieldError::new(param, "keys must not be empty"));
        }
        if k.chars().count() > METADATA_MAX_KEY_CHARS {
            return Err(FieldError::new(
                format!("{param}.{k}"),
                format!("key is longer than {METADATA_MAX_KEY_CHARS} characters"),
            ));
        }
        if v.chars().count() > METADATA_MAX_VALUE_CHARS {
            return Err(FieldError::new(
                format!("{param}.{k}"),
                format!("value is longer than {METADATA_MAX_VALUE_CHARS} characters"),
            ));
        }
    }
    Ok(())
}

/// A pragmatic address check: one `@`, a non-empty local part, a dotted domain of
/// letters, digits and hyphens, no spaces, at most 254 characters. Returns the
/// address trimmed; the case of the local part is kept.
pub fn email(param: &str, raw: &str) -> Result<String, FieldError> {
    let e = raw.trim();
    let bad = |why: &str| Err(FieldError::new(param, format!("`{e}` is not a valid email address: {why}")));
    if e.is_empty() {
        return Err(FieldError::new(param, "must not be empty"));
    }
    if e.len() > 254 {
        return bad("longer than 254 characters");
    }
    let Some((local, domain)) = e.split_once('@') else {
        return bad("it has no `@`");
    };
    if local.is_empty() || local.len() > 64 {
        return bad("the part before `@` must have 1 to 64 characters");
    }
    if domain.contains('@') {
        return bad("it has more than one `@`");
    }
    if e.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | ':' | '[' | ']' | '\\' | '"')) {
        return bad("it contains spaces or characters not allowed in an address");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return bad("dots in the part before `@` must separate characters");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return bad("the domain needs a dot, as in example.com");
    }
    for label in &labels {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-');
        if !ok {
            return bad("the domain must be labels of letters, digits and hyphens separated by dots");
        }
    }
    Ok(e.to_string())
}

/// A required free-text field: trimmed, not empty, at most `max` characters.
pub fn text(param: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(param, "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(FieldError::new(param, format!("must be at most {max} characters")));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(email("email", "jane.doe@example.com").is_ok());
        assert!(email("email", " a+b@sub.example.co ").is_ok());
        for bad in ["", "jane", "jane@", "@example.com", "jane@example", "ja ne@example.com", "a@b@c.com", "a@-x.com", "a..b@x.com", "a@x..com"] {
            assert!(email("email", bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn metadata_limits() {
        let mut m = Metadata::new();
        m.insert("k".into(), "v".repeat(500));
        assert!(metadata("metadata", &m).is_ok());
        m.insert("k".into(), "v".repeat(501));
        assert_eq!(metadata("metadata", &m).unwrap_err().param, "metadata.k");
        let m: Metadata = (0..51).map(|i| (format!("k{i}"), String::new())).collect();
        assert!(metadata("metadata", &m).is_err());
        let m: Metadata = [("x".repeat(41), String::new())].into_iter().collect();
        assert!(metadata("metadata", &m).is_err());
    }
}
