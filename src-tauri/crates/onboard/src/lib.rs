//! The onboarding core: every check, OAuth and mail operation of the wizard, as plain functions
//! and types. It knows nothing of Tauri, windows or the command line; those are thin adapters.

pub mod app_registration;
pub mod bindings;
pub mod catalog;
pub mod cloud;
pub mod export;
pub mod identity;
pub mod mailbox;
pub mod message;
pub mod platform;
pub mod profile;
pub mod server;

pub use app_registration::admin_consent::{
    admin_consent_url, capture_admin_consent, consent_link, ConsentGranted,
};
pub use app_registration::check::{check_app, AppCheck};
pub use app_registration::input::{AppFields, AppInput, TenantForm};
pub use app_registration::secret_expiry::SecretExpiry;
pub use app_registration::{
    apply, client_secret_key, plan, Action, Applied, AppliedOnce, Change, DesiredApp, ExistingApp,
    NewSecret, Plan,
};
pub use catalog::check_step::{CheckStatus, CheckStep};
pub use catalog::diagnosis::Diagnosis;
pub use catalog::{diagnose, MailProtocol};
pub use cloud::endpoints::{Cloud, CloudPreset, MailEndpoint, TlsMode};
pub use export::channel_config::{
    ChannelConfig, CloudRecord, IncludedSecrets, ProfileRecord, SecretRef, CHANNEL_CONFIG_FORMAT,
    CHANNEL_CONFIG_VERSION,
};
pub use export::copy_cards::{copy_cards, CopyCard, CopyValue};
pub use export::import::{
    import_channel_config, import_file, parse_channel_config, read_channel_config, Imported,
};

pub use app_registration::admin_sign_in::{admin_scopes, admin_sign_in_app, AZURE_CLI_CLIENT_ID};
pub use export::secrets::{
    check_passphrase, open, seal, secrets_for_export, ExportSecrets, SecretHandling,
};
pub use export::{
    export, export_profile, readme_path, write_export, Export, ExportFormat, ExportOptions,
    SecretsIncluded, ENV_NAMES, ZAMMAD_FORMAT,
};
pub use identity::audience::{AccessToken, Audience, GraphAudience, OutlookAudience, Resource};
pub use identity::device_code::{
    poll_device_code, poll_device_code_as, start_device_code, CancelToken, DeviceCodePrompt,
};
pub use identity::id_token::{
    fetch_signing_keys, validate as validate_id_token, Expected, SigningKeys,
};
pub use identity::permissions::{ChannelKind, Permission, PermissionCheck, PermissionType};
pub use identity::principal::Identity;
pub use identity::sandbox_info::SandboxInfo;
pub use identity::sign_in::{
    authorize_url, begin_embedded_sign_in, check_account, find_service_principal,
    finish_embedded_sign_in, scopes_for, sign_in_app_only, sign_in_with_browser,
    sign_in_with_device_code, AppOnly, AppOnlySetup, AppOnlyTarget, PendingSignIn,
    ServicePrincipal, SignInRequest, SignInSummary, SignedIn, OBJECT_ID_PLACEHOLDER,
    PERSONAL_ACCOUNT_TENANT,
};
pub use identity::tenant_discovery::{discover_tenant, TenantInfo};
pub use identity::token_endpoint::{request_token, TokenRefusal, TokenResponse};
pub use identity::token_source::{TokenEndpoint, TokenFailure, TokenSource};
pub use mailbox::archive_count::profile_archive_counts;
pub use mailbox::archive_count::{
    graph_archive_counts, imap_archive_counts, imap_before_day, ArchiveCounts,
};
pub use mailbox::connect::{connect_mailbox, reverify, AppConnection, Connected, Credentials};
pub use mailbox::connections::PreviewConnections;
pub use mailbox::fetch_test::profile_fetch_test;
pub use mailbox::fetch_test::{graph_fetch_test, imap_fetch_test};
pub use mailbox::folders::profile_folders;
pub use mailbox::folders::resolve_folder;
pub use mailbox::folders::{graph_folders, imap_folders, Folder, MAX_DEPTH, MAX_FOLDERS};
pub use mailbox::graph::access::{
    explain_send_refusal, no_full_access, send_as_denied, verify_mailbox_access, MailboxAccess,
    SendAsStatus,
};
pub use mailbox::graph::preview::{graph_message_page, graph_raw_message};
pub use mailbox::imap::check::{check_imap, ImapCheck, InboxFacts};
pub use mailbox::imap::preview::{imap_message_page, imap_raw_message, imap_raw_message_bounded};
pub use mailbox::mail_conn::{MailCheckOptions, MailLogin};
pub use mailbox::message_page::{MessagePage, MessageSummary};
pub use mailbox::preview::{profile_message, profile_message_page, profile_raw_message};
pub use mailbox::send_test::profile_send_test;
pub use mailbox::send_test::{graph_send_test, smtp_send_test, TestMail};
pub use mailbox::smtp::check::{check_smtp, SmtpCheck};
pub use mailbox::xoauth2::Xoauth2;
pub use message::attachment_file::{safe_file_name, save_attachment_file};
pub use message::remote_images::inline_remote_images;
pub use message::view::{
    attachment_bytes, parse_message, sanitize_html, AttachmentInfo, MessageView,
};
pub use platform::keyring_store::KeyringStore;
pub use platform::secret_store::{
    probe_secret_store, MemoryStore, Secret, SecretStore, SecretStoreStatus,
};
pub use profile::channel_setup::{end_of_day, ArchiveMode, ChannelSetup, FolderRef};
pub use profile::draft::{AccountDraft, AppDraft, Draft, OptionsDraft, ServerDraft, WizardStep};
pub use profile::needs_sign_in::NeedsSignIn;
pub use profile::reauth::{MailboxChoice, NewProfile, SignIn};
pub use profile::record::{
    refresh_token_key, GrantedScopes, MailboxRef, Profile, ProfileCloud, SignInFlow,
    PROFILE_VERSION,
};
pub use profile::session::{Session, REFRESH_AHEAD_SECS};
pub use profile::store::keep_channel_setup;
pub use profile::store::{default_profiles_dir, Deleted, ProfileList, ProfileStore};
pub use server::check::{check_server, ServerCheck, ServerCheckInput};
pub use server::helpdesk_groups::{zammad_groups, HelpdeskGroup};
pub use server::host_name::HostName;
pub use server::kind::ServerKind;
pub use server::probe::{probe_server, ProbeOptions, ServerProbe};
