//! A check's status as the Nagios/Icinga plugin convention names it, and its exit code.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Ordered from best to worst, as the monitoring plugins rank them when they summarise: a
/// check that could not tell (UNKNOWN) outranks OK, a WARNING outranks UNKNOWN.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
    ts_rs::TS,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Health {
    Ok,
    Unknown,
    Warning,
    Critical,
}

impl Health {
    /// 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    pub fn exit_code(self) -> u8 {
        match self {
            Health::Ok => 0,
            Health::Warning => 1,
            Health::Critical => 2,
            Health::Unknown => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ok => "OK",
            Health::Warning => "WARNING",
            Health::Critical => "CRITICAL",
            Health::Unknown => "UNKNOWN",
        }
    }

    /// The worst of `all`; OK when there is none.
    pub fn worst(all: impl IntoIterator<Item = Health>) -> Health {
        all.into_iter().max().unwrap_or(Health::Ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_wins_and_unknown_ranks_between_ok_and_warning() {
        use Health::*;
        assert_eq!(Health::worst([Ok, Unknown]), Unknown);
        assert_eq!(Health::worst([Unknown, Warning, Ok]), Warning);
        assert_eq!(Health::worst([Warning, Critical, Unknown]), Critical);
        assert_eq!(Health::worst([]), Ok);
        assert_eq!(
            [Ok, Warning, Critical, Unknown].map(Health::exit_code),
            [0, 1, 2, 3]
        );
    }
}
