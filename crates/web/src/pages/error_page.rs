use crate::error::PageError;
use crate::i18n::T;
use crate::layout::Chrome;
use crate::session::Visitor;
use askama::Template;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: T,
    page: Chrome,
    heading: String,
    message: String,
}

/// The error page for `error`, in the visitor's language and with their navigation.
pub fn render(visitor: &Visitor, path: &str, error: &PageError) -> Response {
    let t = visitor.t();
    let page = ErrorPage {
        t,
        page: Chrome::new(visitor, path),
        heading: t.get("error-title"),
        message: t.error(error.code),
    };
    let body = match page.render() {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            // Still an answer with the right status, in the visitor's language.
            t.error(error.code)
        }
    };
    let mut res = (error.status, Html(body)).into_response();
    if let Some(secs) = error.retry_after {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    res
}
