//! The simulated tenant's state, which every service reads: the seed and the world built from it
//! (directory, codes, grants, tokens issued), the mail store on disk, the signing keys, the
//! scope rules, the identity platform's error envelope, the clock tests move, and the request
//! log and fault rules. Uses nothing else of the crate.

pub mod aad_error;
pub mod clock;
pub mod directory;
pub mod keys;
pub mod listing_cache;
pub mod mail_store;
pub mod request_log;
pub mod scopes;
pub mod seed;
pub mod sim;
pub mod world;
