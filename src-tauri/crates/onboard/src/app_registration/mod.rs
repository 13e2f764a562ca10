//! "Create it for me": the wizard creates or repairs the Entra app registration through Graph
//! with an admin's token. `plan` reads the tenant and lists the changes; `apply` makes them.

mod apply;
mod desired;
mod graph_client;
mod plan;

pub use apply::{apply, client_secret_key, Applied, AppliedOnce, NewSecret};
pub(crate) use desired::check_redirect;
pub use desired::{DesiredApp, LOOPBACK_REDIRECT, MAX_SECRET_MONTHS};
pub use plan::{plan, Action, Change, ExistingApp, Plan};
