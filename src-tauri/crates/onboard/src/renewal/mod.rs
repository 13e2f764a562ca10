//! Renewal before expiry: a new client secret for a profile's app, added beside the old one,
//! proven (a token with it, then the profile's fetch test) and only then kept; the exports the
//! app's profiles wrote are written again or listed, every profile is checked, and the old
//! secret is removed last, when the admin says so. The old secret works until that last step.
//!
//! Uses catalog/, platform/, identity/, app_registration/, profile/, mailbox/, export/ and
//! health/; nothing uses it.

pub mod plan;
pub mod renew;
pub mod retire;

pub use plan::{pending_secret_key, plan_renewal, ExportAction, ExportStep, RenewalPlan};
pub use renew::{renew, ExportDone, Renewed, RenewedOnce};
pub use retire::retire;
