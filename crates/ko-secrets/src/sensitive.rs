//! A value that must never be shown, logged or serialised.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use zeroize::{Zeroize, Zeroizing};

/// The text every secret prints and serialises as.
pub const REDACTED: &str = "<redacted>";

/// A secret value. `Debug`, `Display` and `Serialize` produce `<redacted>`; the only way to the
/// value is [`Sensitive::expose`], which makes every use visible in review. Deserialising reads
/// the plain value (secrets do arrive from the UI and from stdin). The memory is zeroed on drop.
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

impl<T: Zeroize> Serialize for Sensitive<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

impl<'de, T: Zeroize + Deserialize<'de>> Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Self::new)
    }
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
    fn deserialises_the_plain_value() {
        let login: Login = serde_json::from_str(r#"{"user":"root","password":"pw"}"#).unwrap();
        assert_eq!(login.password.expose(), "pw");
    }
}
