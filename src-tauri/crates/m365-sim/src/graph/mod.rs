//! Microsoft Graph v1.0, served under `/graph/v1.0`: users, and mailbox access by Exchange
//! Online's rules (mail folders and messages grow here).

mod caller;
mod error;
mod mailbox;
mod users;

use crate::sim::Shared;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/me", get(users::me))
        .route("/users/{id}", get(users::user))
        .route("/me/mailFolders/{folder}", get(mailbox::my_folder))
        .route(
            "/users/{id}/mailFolders/{folder}",
            get(mailbox::user_folder),
        )
}
