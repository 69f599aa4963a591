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

/// A heading that says what happened where the catalogue has one for the code or the status
/// ("Already registered with another worker", "Not found"), else "Something went wrong".
fn heading(t: &T, error: &PageError) -> String {
    [
        format!("error-title-{}", error.code),
        format!("error-title-{}", error.status.as_u16()),
    ]
    .into_iter()
    .find(|id| crate::i18n::has_message(t.locale(), id))
    .map_or_else(|| t.get("error-title"), |id| t.dynamic(&id))
}

/// The error page for `error`, in the visitor's language and with their navigation.
pub fn render(visitor: &Visitor, path: &str, error: &PageError) -> Response {
    let t = visitor.t();
    let page = ErrorPage {
        t,
        page: Chrome::new(visitor, path),
        heading: heading(&t, error),
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
