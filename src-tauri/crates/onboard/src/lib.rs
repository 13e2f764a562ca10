//! The onboarding core: every check, OAuth and mail operation of the wizard, as plain functions
//! and types. It knows nothing of Tauri, windows or the command line; those are thin adapters.

pub mod account;
pub mod admin_consent;
pub mod app_check;
pub mod app_input;
pub mod app_registration;
pub mod archive_count;
pub mod attachment_file;
pub mod audience;
pub mod bindings;
pub mod browser;
pub mod catalog;
pub mod channel_config;
pub mod channel_setup;
pub mod check_step;
pub mod cloud;
pub mod copy_cards;
pub mod device_code;
pub mod diagnosis;
pub mod draft;
pub mod export;
pub mod export_secrets;
pub mod fetch_test;
pub mod folders;
pub mod graph_get;
pub mod helpdesk_groups;
pub mod host_name;
pub mod html_depth;
pub mod http;
pub mod id_token;
pub mod identity;
pub mod imap_check;
mod imap_pipeline;
pub mod imap_preview;
pub mod imap_utf7;
pub mod import;
mod inline_images;
pub mod jwt_claims;
pub mod keyring_store;
pub mod loopback;
mod mail_conn;
pub mod mailbox_access;
pub mod mailbox_gate;
pub mod message_view;
pub mod needs_sign_in;
pub mod permissions;
pub mod pkce;
pub mod preview;
pub mod preview_connections;
pub mod profile;
pub mod profile_export;
pub mod profile_mailbox;
pub mod profile_preview;
pub mod profile_store;
pub mod profile_verify;
pub mod reauth;
pub mod remote_images;
pub mod sandbox_info;
pub mod secret_expiry;
pub mod secret_store;
pub mod send_test;
pub mod server_check;
pub mod server_kind;
pub mod server_probe;
pub mod session;
pub mod sign_in;
pub mod smtp_check;
pub mod tenant_discovery;
mod tls_check;
pub mod token_endpoint;
pub mod token_source;
pub mod xoauth2;

pub use account::{connect_mailbox, reverify, AppConnection, Connected, Credentials};
pub use admin_consent::{admin_consent_url, capture_admin_consent, consent_link, ConsentGranted};
pub use app_check::{check_app, AppCheck};
pub use app_input::{AppFields, AppInput, TenantForm};
pub use app_registration::{
    apply, client_secret_key, plan, Action, Applied, AppliedOnce, Change, DesiredApp, ExistingApp,
    NewSecret, Plan,
};
pub use archive_count::{
    graph_archive_counts, imap_archive_counts, imap_before_day, ArchiveCounts,
};
pub use attachment_file::{safe_file_name, save_attachment_file};
pub use audience::{AccessToken, Audience, GraphAudience, OutlookAudience, Resource};
pub use catalog::{diagnose, MailProtocol};
pub use channel_config::{
    ChannelConfig, CloudRecord, IncludedSecrets, ProfileRecord, SecretRef, CHANNEL_CONFIG_FORMAT,
    CHANNEL_CONFIG_VERSION,
};
pub use channel_setup::{
    end_of_day, keep_channel_setup, resolve_folder, ArchiveMode, ChannelSetup, FolderRef,
};
pub use check_step::{CheckStatus, CheckStep};
pub use cloud::{Cloud, CloudPreset, MailEndpoint, TlsMode};
pub use copy_cards::{copy_cards, CopyCard, CopyValue};
pub use device_code::{
    admin_scopes, admin_sign_in_app, poll_device_code, poll_device_code_as, start_device_code,
    CancelToken, DeviceCodePrompt, AZURE_CLI_CLIENT_ID,
};
pub use diagnosis::Diagnosis;
pub use draft::{AccountDraft, AppDraft, Draft, OptionsDraft, ServerDraft, WizardStep};
pub use export::{
    export, readme_path, write_export, Export, ExportFormat, ExportOptions, SecretsIncluded,
    ENV_NAMES, ZAMMAD_FORMAT,
};
pub use export_secrets::{
    check_passphrase, open, seal, secrets_for_export, ExportSecrets, SecretHandling,
};
pub use fetch_test::{graph_fetch_test, imap_fetch_test};
pub use folders::{graph_folders, imap_folders, Folder, MAX_DEPTH, MAX_FOLDERS};
pub use helpdesk_groups::{zammad_groups, HelpdeskGroup};
pub use host_name::HostName;
pub use id_token::{fetch_signing_keys, validate as validate_id_token, Expected, SigningKeys};
pub use identity::Identity;
pub use imap_check::{check_imap, ImapCheck, InboxFacts};
pub use imap_preview::{imap_message_page, imap_raw_message, imap_raw_message_bounded};
pub use import::{
    import_channel_config, import_file, parse_channel_config, read_channel_config, Imported,
};
pub use keyring_store::KeyringStore;
pub use mail_conn::{MailCheckOptions, MailLogin};
pub use mailbox_access::{
    explain_send_refusal, no_full_access, send_as_denied, verify_mailbox_access, MailboxAccess,
    SendAsStatus,
};
pub use message_view::{
    attachment_bytes, graph_raw_message, parse_message, sanitize_html, AttachmentInfo, MessageView,
};
pub use needs_sign_in::NeedsSignIn;
pub use permissions::{ChannelKind, Permission, PermissionCheck, PermissionType};
pub use preview::{graph_message_page, MessagePage, MessageSummary};
pub use preview_connections::PreviewConnections;
pub use profile::{
    refresh_token_key, GrantedScopes, MailboxRef, Profile, ProfileCloud, SignInFlow,
    PROFILE_VERSION,
};
pub use profile_export::export_profile;
pub use profile_mailbox::{profile_archive_counts, profile_folders};
pub use profile_preview::{profile_message, profile_message_page, profile_raw_message};
pub use profile_store::{default_profiles_dir, Deleted, ProfileList, ProfileStore};
pub use profile_verify::{profile_fetch_test, profile_send_test};
pub use reauth::{MailboxChoice, NewProfile, SignIn};
pub use remote_images::inline_remote_images;
pub use sandbox_info::SandboxInfo;
pub use secret_expiry::SecretExpiry;
pub use secret_store::{probe_secret_store, MemoryStore, Secret, SecretStore, SecretStoreStatus};
pub use send_test::{graph_send_test, smtp_send_test, TestMail};
pub use server_check::{check_server, ServerCheck, ServerCheckInput};
pub use server_kind::ServerKind;
pub use server_probe::{probe_server, ProbeOptions, ServerProbe};
pub use session::{Session, REFRESH_AHEAD_SECS};
pub use sign_in::{
    authorize_url, begin_embedded_sign_in, check_account, find_service_principal,
    finish_embedded_sign_in, scopes_for, sign_in_app_only, sign_in_with_browser,
    sign_in_with_device_code, AppOnly, AppOnlySetup, AppOnlyTarget, PendingSignIn,
    ServicePrincipal, SignInRequest, SignInSummary, SignedIn, OBJECT_ID_PLACEHOLDER,
    PERSONAL_ACCOUNT_TENANT,
};
pub use smtp_check::{check_smtp, SmtpCheck};
pub use tenant_discovery::{discover_tenant, TenantInfo};
pub use token_endpoint::{request_token, TokenRefusal, TokenResponse};
pub use token_source::{TokenEndpoint, TokenFailure, TokenSource};
pub use xoauth2::Xoauth2;
