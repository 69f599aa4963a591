//! Who is asking: the browser session behind the `casework_session` cookie, the visitor's
//! language, and the extractors page handlers use (`Visitor` for anyone, `Staff` for signed-in).

use crate::csrf;
use crate::error::PageError;
use crate::i18n::{Locale, T};
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use casework_domain::Role;
use casework_service::auth::{Principal, Secret, SignedIn};
use casework_service::Actor;
use casework_service::ServiceError;

pub const SESSION_COOKIE: &str = "casework_session";
/// The double-submit token for forms shown before sign-in.
pub const PRE_SESSION_COOKIE: &str = "casework_csrf";
/// The language picked by someone not signed in.
pub const LANGUAGE_COOKIE: &str = "lang";

/// A cookie our way: Path=/, SameSite=Lax, Secure behind TLS.
pub(crate) fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    http_only: bool,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(http_only)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

/// The session cookie. No Max-Age: the server enforces the idle and absolute timeouts, and the
/// browser drops the cookie when it closes.
pub(crate) fn session_cookie(token: &Secret, secure: bool) -> Cookie<'static> {
    cookie(SESSION_COOKIE, token.expose().to_string(), secure, true)
}

pub(crate) fn language_cookie(locale: Locale, secure: bool) -> Cookie<'static> {
    let mut c = cookie(LANGUAGE_COOKIE, locale.tag().to_string(), secure, true);
    c.set_max_age(time::Duration::days(365));
    c
}

pub(crate) fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut c = cookie(name, String::new(), secure, true);
    c.make_removal();
    c
}

/// The language of someone not signed in: the `lang` cookie, else Accept-Language, else English.
pub fn anonymous_locale(headers: &HeaderMap) -> Locale {
    let jar = CookieJar::from_headers(headers);
    jar.get(LANGUAGE_COOKIE)
        .and_then(|c| Locale::parse(c.value()))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or(Locale::En)
}

/// Anyone requesting a page, signed in or not.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub signed_in: Option<SignedIn>,
    pub(crate) session_token: Option<Secret>,
    pub locale: Locale,
    /// What the hidden `csrf` field of this visitor's forms must hold.
    pub(crate) form_csrf: Secret,
    /// No pre-session token yet: the response sets the cookie.
    pub(crate) issue_pre_session: bool,
    /// A session cookie came with the request but its session has ended.
    pub(crate) ended_session: bool,
    /// The page asked for, with its query, when it was a plain GET: where the language form
    /// and a sign-in after a timeout come back to.
    pub(crate) here: Option<String>,
}

impl Visitor {
    pub async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Visitor, ServiceError> {
        let jar = CookieJar::from_headers(headers);
        let session_token = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value())
            .filter(|v| !v.is_empty() && v.len() <= 200)
            .map(Secret::new);
        let signed_in = match &session_token {
            Some(token) => match state.app.session(token).await {
                Ok(s) => Some(s),
                Err(ServiceError::Unauthenticated) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        let ended_session = session_token.is_some() && signed_in.is_none();
        let locale = signed_in
            .as_ref()
            .and_then(|s| Locale::parse(&s.principal.locale))
            .unwrap_or_else(|| anonymous_locale(headers));
        let (form_csrf, issue_pre_session) = match &signed_in {
            Some(s) => (s.csrf_token.clone(), false),
            None => match jar
                .get(PRE_SESSION_COOKIE)
                .map(|c| c.value())
                .filter(|v| csrf::plausible(v))
            {
                Some(v) => (Secret::new(v), false),
                None => (Secret::new(csrf::fresh()), true),
            },
        };
        Ok(Visitor {
            signed_in,
            session_token: session_token.filter(|_| !ended_session),
            locale,
            form_csrf,
            issue_pre_session,
            ended_session,
            here: None,
        })
    }

    /// Someone we could not look up (the database is down): enough to render an error page.
    pub fn anonymous(headers: &HeaderMap) -> Visitor {
        Visitor {
            signed_in: None,
            session_token: None,
            locale: anonymous_locale(headers),
            form_csrf: Secret::new(String::new()),
            issue_pre_session: false,
            ended_session: false,
            here: None,
        }
    }

    pub fn t(&self) -> T {
        T::new(self.locale)
    }

    pub fn principal(&self) -> Option<&Principal> {
        self.signed_in.as_ref().map(|s| &s.principal)
    }

    /// The value for the hidden `csrf` field of this visitor's forms.
    pub fn csrf(&self) -> &str {
        self.form_csrf.expose()
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The pages layer has usually resolved it already; resolving twice would touch the
        // session twice.
        if let Some(v) = parts.extensions.get::<Visitor>() {
            return Ok(v.clone());
        }
        let v = Visitor::resolve(state, &parts.headers).await?;
        parts.extensions.insert(v.clone());
        Ok(v)
    }
}

/// A signed-in member of staff. Pages that need one redirect to `/sign-in` otherwise.
#[derive(Debug, Clone)]
pub struct Staff {
    pub principal: Principal,
    pub visitor: Visitor,
}

impl Staff {
    pub fn actor(&self) -> &Actor {
        &self.principal.actor
    }

    pub fn t(&self) -> T {
        self.visitor.t()
    }

    /// Refuse the page to other roles. The service checks again; this keeps the page from
    /// half-rendering for someone who should not see it.
    pub fn require(&self, role: Role) -> Result<(), PageError> {
        if self.principal.actor.role == role {
            Ok(())
        } else {
            Err(PageError::forbidden())
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        match visitor.principal().cloned() {
            Some(principal) => Ok(Staff { principal, visitor }),
            None => Err(PageError::from(ServiceError::Unauthenticated)),
        }
    }
}
