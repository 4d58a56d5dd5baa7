//! String-valued enums kept in SQLite and sent to the UI under the same names.

/// Declares a string-valued enum: serde, its JSON schema, `as_str`/`parse`, `Display` and, with
/// the `sql` feature, SQLite's `ToSql`/`FromSql` (an unknown stored name is an error, never a
/// default).
macro_rules! stored_names {
    ($(#[$meta:meta])* $name:ident ($code:literal) { $($(#[doc = $doc:literal])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $($(#[doc = $doc])* #[serde(rename = $text)] $variant,)*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// Its stored name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text,)* }
            }

            /// The value stored as `text`.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)* _ => None }
            }

            /// `text` as a value, or the error that says it is not one this release knows.
            pub fn parse_stored(text: &str) -> Result<Self, $crate::UnknownName> {
                Self::parse(text).ok_or_else(|| $crate::UnknownName {
                    type_name: stringify!($name),
                    code: $code,
                    value: text.to_string(),
                    known: &[$($text,)*],
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[cfg(feature = "sql")]
        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }

        #[cfg(feature = "sql")]
        impl rusqlite::types::FromSql for $name {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                Self::parse_stored(value.as_str()?).map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }
    };
}

pub(crate) use stored_names;

/// A stored name this release does not know: written by a newer release, or a damaged file. Never
/// read as some default.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a {type_name} this release knows (it knows {}); was the data dir written by a newer release?", .known.join(", "))]
pub struct UnknownName {
    /// The type it should be.
    pub type_name: &'static str,
    /// The code the error reports (e.g. `credential.kind_unknown`).
    pub code: &'static str,
    /// What was stored.
    pub value: String,
    /// The names this release knows.
    pub known: &'static [&'static str],
}
