//! Simulated Microsoft 365 tenant. The contract is in DESIGN.md ("The simulated tenant");
//! the implementation arrives with its own issue, so this crate is only a workspace member for now.
