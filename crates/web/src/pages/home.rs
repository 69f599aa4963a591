//! `/`: send each role to where its work is.

use crate::layout::home_of;
use crate::session::Staff;
use crate::AppState;
use axum::response::Redirect;
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

async fn home(staff: Staff) -> Redirect {
    Redirect::to(home_of(staff.actor().role))
}
