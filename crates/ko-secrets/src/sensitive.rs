//! A value that must never be shown, logged or serialised — but to the secret store.

use crate::{Result, SecretError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::Cell;
use std::fmt;
use zeroize::{Zeroize, Zeroizing};

/// The text every secret prints and serialises as.
pub const REDACTED: &str = "<redacted>";

/// A secret value. `Debug`, `Display` and `Serialize` produce `<redacted>`; the only ways to the
/// value are [`Sensitive::expose`], which makes every use visible in review, and [`to_stored_json`],
/// which writes what the secret store keeps. Deserialising reads the plain value (secrets do
/// arrive from the UI, from stdin and from the store). The memory is zeroed on drop.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Sensitive<T: Zeroize>(Zeroizing<T>);

impl<T: Zeroize> Sensitive<T> {
    /// Wraps a secret.
    pub fn new(value: T) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret itself. Keep the borrow short and never format it.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// The secret itself, to fill in place (a derived key). Keep the borrow short.
    pub fn expose_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Zeroize> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T: Zeroize> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Its schema is its value's: the UI sends the plain value (and never receives one).
impl<T: Zeroize + schemars::JsonSchema> schemars::JsonSchema for Sensitive<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

thread_local! {
    /// Set only while [`to_stored_json`] serialises on this thread.
    static REVEAL: Cell<bool> = const { Cell::new(false) };
}

impl<T: Zeroize + Serialize> Serialize for Sensitive<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        if REVEAL.get() { self.0.serialize(s) } else { s.serialize_str(REDACTED) }
    }
}

impl<'de, T: Zeroize + Deserialize<'de>> Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        T::deserialize(d).map(Self::new)
    }
}

/// Resets [`REVEAL`] however the serialisation ends (a panic included).
struct RevealGuard;

impl Drop for RevealGuard {
    fn drop(&mut self) {
        REVEAL.set(false);
    }
}

/// The JSON the secret store keeps for `value`: like `serde_json::to_string`, but every
/// [`Sensitive`] inside is written as its plain value. Use it for store entries only.
pub fn to_stored_json<T: Serialize>(value: &T) -> Sensitive<String> {
    REVEAL.set(true);
    let _reset = RevealGuard;
    // serialising a value of ours to a string cannot fail (string keys, no I/O)
    Sensitive::new(serde_json::to_string(value).unwrap_or_default())
}

/// Reads what [`to_stored_json`] wrote; `key` names the store entry in the error.
pub fn from_stored_json<T: for<'de> Deserialize<'de>>(key: &str, entry: &Sensitive<String>) -> Result<T> {
    serde_json::from_str(entry.expose()).map_err(|_| SecretError::Corrupt(key.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Serialize, Deserialize)]
    struct Login {
        user: String,
        password: Sensitive<String>,
    }

    #[test]
    fn never_shows_the_value() {
        let s = Sensitive::new("hunter2".to_string());
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{s:#?}"), REDACTED);
        let login = Login { user: "root".into(), password: s };
        let debug = format!("{login:?}");
        assert!(!debug.contains("hunter2") && debug.contains(REDACTED), "{debug}");
        let json = serde_json::to_string(&login).unwrap();
        assert_eq!(json, r#"{"user":"root","password":"<redacted>"}"#);
        assert_eq!(login.password.expose(), "hunter2");
    }

    #[test]
    fn only_the_store_sees_the_value() {
        let login = Login { user: "root".into(), password: Sensitive::new("hunter2".into()) };
        let stored = to_stored_json(&login);
        assert_eq!(stored.expose(), r#"{"user":"root","password":"hunter2"}"#);
        let back: Login = from_stored_json("k", &stored).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.password.expose(), "hunter2");
        // and right after, everything else is redacted again
        assert_eq!(serde_json::to_string(&login).unwrap_or_default(), r#"{"user":"root","password":"<redacted>"}"#);
        assert!(
            matches!(from_stored_json::<Login>("k", &Sensitive::new("{".into())), Err(SecretError::Corrupt(k)) if k == "k")
        );
    }

    #[test]
    fn deserialises_the_plain_value() {
        let login: Login = serde_json::from_str(r#"{"user":"root","password":"pw"}"#).unwrap();
        assert_eq!(login.password.expose(), "pw");
    }
}
