//! Errors as the page receives them: the same `{code, message, problems}` body `koctl serve`
//! sends and `koctl -o json` prints.

use ko_api::ApiError;
use serde::Serialize;

/// A failed command, serialized for `invoke`'s rejection.
#[derive(Debug, Serialize)]
pub struct UiError {
    code: String,
    message: String,
    problems: Vec<ko_api::Problem>,
}

impl From<ApiError> for UiError {
    fn from(e: ApiError) -> Self {
        Self { code: e.code().into(), message: e.to_string(), problems: e.problems() }
    }
}

impl UiError {
    /// An error of the shell itself (a dialog that could not open, a file that could not be read).
    pub fn shell(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into(), problems: Vec::new() }
    }
}

/// What every command returns.
pub type UiResult<T> = Result<T, UiError>;
