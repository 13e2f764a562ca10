//! Graph's directory endpoints, as the wizard's "create it for me" and admin tooling use them:
//! applications, service principals, delegated permission grants, app role assignments, and
//! Graph's own permission catalog; query.rs holds their shared OData rules and errors.

mod app_role_assignments;
mod applications;
mod grants;
pub mod permissions;
pub mod query;
pub(crate) mod registrations;
mod service_principals;
