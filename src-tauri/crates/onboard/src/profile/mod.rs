//! A connected mailbox as the wizard keeps it: the profile record, the profile store on disk,
//! the session that hands out a profile's access tokens (refreshed ahead of expiry, rotated
//! refresh tokens saved first), the rules of a new or renewed sign-in and of a refused refresh,
//! the wizard's draft, and the channel options a profile keeps.
//!
//! Uses catalog/, platform/, server/, cloud/, identity/ and app_registration/ (the app's secret
//! is kept in the keyring beside the profile's sign-in).

pub mod channel_setup;
pub mod draft;
pub mod kept;
pub mod needs_sign_in;
pub mod reauth;
pub mod record;
pub mod session;
pub mod store;

pub use channel_setup::{end_of_day, ArchiveMode, ChannelSetup, FolderRef};
pub use draft::{AccountDraft, AppDraft, Draft, OptionsDraft, ServerDraft, WizardStep};
pub use needs_sign_in::NeedsSignIn;
pub use reauth::{MailboxChoice, NewProfile, SignIn};
pub use record::{
    refresh_token_key, GrantedScopes, MailboxRef, Profile, ProfileCloud, SignInFlow,
    PROFILE_VERSION,
};
pub use session::{Session, REFRESH_AHEAD_SECS};
pub use store::{default_profiles_dir, keep_channel_setup, Deleted, ProfileList, ProfileStore};
