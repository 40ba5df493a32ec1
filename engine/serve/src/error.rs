//! [`ApiError`]: every failure a request can meet, answered as a 4xx or 5xx with a JSON body
//! `{"error": {"field": ..., "message": ...}}` that names the field at fault when there is one.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A request's failure: the HTTP status, the field at fault (a JSON path such as `[2].skill`, a
/// query parameter such as `k`, or `None`) and one line saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The field at fault, if one is.
    pub field: Option<String>,
    /// What is wrong, in one line.
    pub message: String,
}

impl ApiError {
    /// A 422: the request is well-formed but `field` is unacceptable.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(field.into()),
            message,
        )
    }

    /// A 400: the body is not JSON of the expected shape.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, None, message)
    }

    /// Any status, with no field.
    pub fn status(status: StatusCode, message: impl Into<String>) -> Self {
        Self::new(status, None, message)
    }

    /// A 500: the store or the engine failed; the message says how.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, None, message.to_string())
    }

    fn new(status: StatusCode, field: Option<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            field,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "field": self.field, "message": self.message }
        });
        (self.status, crate::routes::Json(body)).into_response()
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        match e {
            crate::store::StoreError::Conflict { index, id } => Self::new(
                StatusCode::CONFLICT,
                Some(format!("[{index}].id")),
                format!("event id {id:?} was already recorded with other content"),
            ),
            other => Self::internal(other),
        }
    }
}

impl From<pathwise::Error> for ApiError {
    /// By the library's error kind: bad input (named by the kind of id it is about: `skill`,
    /// `item`, ...) and a setting out of its range (named by the setting) are the request's
    /// fault, a 422; everything else (a file, a state of another model, a cancelled
    /// computation) is the service's, a 500.
    fn from(e: pathwise::Error) -> Self {
        use pathwise::Error;
        let field = match &e {
            Error::Input { location, .. } => {
                Some(location.subject.as_ref().map(|s| s.kind.as_str()))
            }
            Error::Config { setting, .. } => Some(*setting),
            _ => None,
        };
        match field {
            Some(field) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                field.map(str::to_owned),
                e.to_string(),
            ),
            None => Self::internal(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use pathwise::{Error, Location, SubjectKind};

    use super::*;

    #[test]
    fn library_input_and_setting_errors_are_the_requests_fault_and_name_the_field() {
        let e = ApiError::from(Error::input(
            Location::subject(SubjectKind::Skill, "frac"),
            "the goal is not a skill of the graph",
        ));
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.field.as_deref(), Some("skill"));
        assert_eq!(
            e.message,
            "skill 'frac': the goal is not a skill of the graph"
        );
        let e = ApiError::from(Error::setting(
            "ready",
            "the ready threshold must be in (0, 1)",
        ));
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.field.as_deref(), Some("ready"));
        let e = ApiError::from(Error::config("two settings disagree"));
        assert_eq!(
            (e.status, e.field),
            (StatusCode::UNPROCESSABLE_ENTITY, None)
        );
    }

    #[test]
    fn other_library_errors_are_internal() {
        let io = Error::io("state.db", std::io::Error::other("disk full"));
        assert_eq!(ApiError::from(io).status, StatusCode::INTERNAL_SERVER_ERROR);
        let mismatch = Error::StateMismatch {
            state: "aaaaaaaaaaaa".into(),
            model: "bbbbbbbbbbbb".into(),
        };
        assert_eq!(
            ApiError::from(mismatch).status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            ApiError::from(Error::Cancelled).status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
