//! Microsoft Graph v1.0, served under `/graph/v1.0`: users, and mailbox access by Exchange
//! Online's rules (mail folders and messages grow here).

mod app_role_assignments;
mod applications;
mod attachments;
mod caller;
pub mod concurrency;
pub mod directory;
pub mod error;
mod grants;
mod mailbox;
mod messages;
mod paging;
pub mod permissions;
mod registrations;
mod send_mail;
mod service_principals;
mod users;

use crate::sim::Shared;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<Shared> {
    let mut r = Router::new()
        .route("/me", get(users::me))
        .route("/users/{user}", get(users::user));
    // Every mailbox route exists for the signed-in user and for a named mailbox.
    for base in ["/me", "/users/{user}"] {
        r = r
            .route(&format!("{base}/mailFolders"), get(mailbox::folders))
            .route(
                &format!("{base}/mailFolders/{{folder}}"),
                get(mailbox::folder),
            )
            .route(
                &format!("{base}/mailFolders/{{folder}}/childFolders"),
                get(mailbox::folders),
            )
            .route(
                &format!("{base}/mailFolders/{{folder}}/messages"),
                get(messages::list),
            )
            .route(
                &format!("{base}/messages/{{message}}"),
                get(messages::get)
                    .patch(messages::update)
                    .delete(messages::delete),
            )
            .route(
                &format!("{base}/messages/{{message}}/$value"),
                get(messages::mime),
            )
            .route(&format!("{base}/sendMail"), post(send_mail::send_mail))
            .route(&format!("{base}/messages"), get(messages::list))
            .route(
                &format!("{base}/messages/{{message}}/attachments"),
                get(attachments::list),
            )
            .route(
                &format!("{base}/messages/{{message}}/attachments/{{attachment}}"),
                get(attachments::get),
            )
            .route(
                &format!("{base}/messages/{{message}}/attachments/{{attachment}}/$value"),
                get(attachments::value),
            );
    }
    r.merge(registrations::router())
}
