//! Where each Graph request goes: the mailbox routes, for the signed-in user (`/me`) and for a
//! named mailbox alike, and the directory's.

use super::directory::registrations;
use super::{attachments, mailbox, messages, send_mail, users};
use crate::tenant::sim::Shared;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<Shared> {
    let mut r = Router::new()
        .route("/me", get(users::me))
        .route("/users/{user}", get(users::user))
        .route("/$batch", post(super::batch::batch));
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
