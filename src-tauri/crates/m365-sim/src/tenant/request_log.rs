//! What the simulator remembers of the traffic for the tests (`/_sim/log`) and the faults they
//! asked for (`/_sim/faults`): tenant state, so that every service can be observed and faulted.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    Latency {
        ms: u64,
    },
    Status {
        status: u16,
        #[serde(default)]
        retry_after: Option<String>,
    },
    Drop,
    Malformed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultRule {
    /// Requests whose path starts with this are affected.
    pub path_prefix: String,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(flatten)]
    pub fault: Fault,
    /// How many requests it applies to; unlimited when absent.
    #[serde(default)]
    pub times: Option<u32>,
}
