//! API errors as HTTP responses: a status that says whose fault it is, and the same JSON body
//! koctl prints with `-o json`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ko_api::ApiError;

/// An error a route returns.
pub struct HttpError(pub StatusCode, pub &'static str, pub String, pub Vec<ko_core::Problem>);

impl HttpError {
    /// Not logged in, or the session ended.
    pub fn unauthenticated() -> Self {
        Self(StatusCode::UNAUTHORIZED, "unauthenticated", "log in first (POST /api/session)".into(), Vec::new())
    }

    /// The password must be changed before anything else.
    pub fn password_change_required() -> Self {
        Self(
            StatusCode::FORBIDDEN,
            "password_change_required",
            "change the password first (POST /api/password)".into(),
            Vec::new(),
        )
    }
}

impl From<ApiError> for HttpError {
    fn from(e: ApiError) -> Self {
        let status = match &e {
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::LoginFailed => StatusCode::UNAUTHORIZED,
            ApiError::AlreadyExists { .. } | ApiError::InUse { .. } => StatusCode::CONFLICT,
            e if e.is_refusal() => StatusCode::CONFLICT,
            e if e.is_input_error() => StatusCode::BAD_REQUEST,
            e if e.is_secret_store_down() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self(status, e.code(), e.to_string(), e.problems())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": { "code": self.1, "message": self.2, "problems": self.3 } });
        (self.0, Json(body)).into_response()
    }
}
