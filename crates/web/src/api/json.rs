//! JSON bodies in and out. Reading answers in our error shape: 415 without a JSON content type,
//! 413 over the size limit, 400 for malformed JSON, 422 for unknown fields, missing fields and
//! wrong types, with the field named and the parser's own words in `detail`.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

fn has_json_content_type(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .is_some_and(|mime| {
            mime.eq_ignore_ascii_case("application/json")
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !has_json_content_type(&req) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "bad_request")
            }
        })?;
        parse(&bytes).map(Json)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// The name in serde's backticks: "unknown field `colour`, expected ..." -> "colour".
fn quoted_name(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(classify)?;
    de.end().map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed_json").with_detail(e.to_string())
    })?;
    Ok(value)
}

fn classify(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let message = inner.to_string();
    match inner.classify() {
        serde_json::error::Category::Data => {
            let (code, named) = if message.starts_with("unknown field") {
                ("unknown_field", quoted_name(&message))
            } else if message.starts_with("missing field") {
                ("required", quoted_name(&message))
            } else {
                ("wrong_type", None)
            };
            // serde_path_to_error's path ends at the unknown key itself, but for a missing field
            // it is the enclosing object: the field's own name is only in the message.
            let field = match (named, path.as_str()) {
                (Some(name), ".") => name.to_string(),
                (Some(name), at) if at == name || at.ends_with(&format!(".{name}")) => {
                    at.to_string()
                }
                (Some(name), parent) => format!("{parent}.{name}"),
                (None, ".") => String::new(),
                (None, at) => at.to_string(),
            };
            let error = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code).with_detail(message);
            if field.is_empty() {
                error
            } else {
                error.with_field(field)
            }
        }
        _ => ApiError::new(StatusCode::BAD_REQUEST, "malformed_json").with_detail(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        active: bool,
    }

    #[test]
    fn parse_errors_name_the_field() {
        let e = parse::<Sample>(br#"{"name": "x", "active": "yes"}"#).unwrap_err();
        assert_eq!((e.status.as_u16(), &*e.code), (422, "wrong_type"));
        assert_eq!(e.field.as_deref(), Some("active"));
        let e = parse::<Sample>(br#"{"name": "x", "active": true, "colour": 1}"#).unwrap_err();
        assert_eq!(
            (&*e.code, e.field.as_deref()),
            ("unknown_field", Some("colour"))
        );
        let e = parse::<Sample>(br#"{"name": "x"}"#).unwrap_err();
        assert_eq!((&*e.code, e.field.as_deref()), ("required", Some("active")));
        let e = parse::<Sample>(br#"{"name": "x", "#).unwrap_err();
        assert_eq!((e.status.as_u16(), &*e.code), (400, "malformed_json"));
        let e = parse::<Sample>(br#"{"name": "x", "active": true} trailing"#).unwrap_err();
        assert_eq!(&*e.code, "malformed_json");
    }
}
