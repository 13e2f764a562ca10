//! Channel health after day one: every check of the setup steps, run again on a kept profile,
//! read-only and without sending mail, with a status a monitoring system understands.
//!
//! Uses catalog/, platform/, identity/, app_registration/, profile/, mailbox/ and export/ (which
//! exports a renewal left behind).

pub mod doctor;
pub mod fleet;
pub mod last_checks;
pub mod nagios;
pub mod status;

pub use doctor::{doctor, DoctorOptions, HealthCheck, ProfileHealth};
pub use fleet::{doctor_all, doctor_fleet, DoctorReport, PER_TENANT};
pub use last_checks::{expiring, Expiring, LastChecks};
pub use nagios::nagios_line;
pub use status::Health;
