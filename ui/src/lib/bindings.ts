// Generated from the Rust core by `make types`; do not edit.

export type Diagnosis = { code: string, title: string, detail: string, fix: string, docs_url: string | null, 
/**
 * The input field at fault, when one is (so the UI can point at it).
 */
field: string | null, };

export type Folder = { 
/**
 * What the target server stores: the Graph folder id, or for IMAP the folder's name as the
 * server spells it (with the server's delimiter).
 */
id: string, 
/**
 * The name as the mailbox shows it (localized well-known names as they are).
 */
name: string, 
/**
 * The display path, names joined by '/': `Inbox/Inquiries/Tech-Support`.
 */
path: string, 
/**
 * The parent's `id`; `None` at the top level.
 */
parent: string | null, total: number | null, unread: number | null, 
/**
 * `inbox`, `archive`, `sentitems`, `drafts`, `deleteditems`, `junkemail` when known.
 */
well_known: string | null, hidden: boolean, children: Array<Folder>, };

export type HelpdeskGroup = { id: string, 
/**
 * Zammad's `name` of the group, as its admin interface shows it.
 */
name: string, };

export type ArchiveCounts = { 
/**
 * Received on or before the cut-off: archived.
 */
before: number, 
/**
 * Received after it: imported as new tickets.
 */
after: number, 
/**
 * Round-trip times the counts took: Graph sends its two requests at once, and IMAP its two
 * commands after sign-in.
 */
round_trips: number, 
/**
 * The cut-off the server counted with: as given over Graph; over IMAP, whose dates are
 * whole days, the end of the cut-off's (UTC) day.
 */
cutoff_applied: string, };

export type ServerKind = "zammad-graph" | "zammad-imap" | "freescout" | "osticket" | "custom";

export type HostName = { 
/**
 * Punycode, lower case: what goes into URLs and the app registration.
 */
ascii: string, 
/**
 * The same name as people read it (IDN labels decoded).
 */
unicode: string, 
/**
 * A port other than 443, when one was given.
 */
port: number | null, 
/**
 * A path that came with a pasted URL (`/helpdesk`), without a trailing slash; may be empty.
 */
path: string, 
/**
 * What was changed from the input, in plain words.
 */
notes: Array<string>, };

export type ServerCheckInput = { kind: ServerKind, fqdn: string, 
/**
 * Only for `custom`: the callback URL with `{fqdn}` where the host goes.
 */
callback_template: string | null, };

export type ServerCheck = { kind: ServerKind, host: HostName, 
/**
 * The redirect URI to register, in ASCII (punycode) exactly as the server will send it.
 */
callback_url: string, 
/**
 * The same URL with international names decoded, for reading.
 */
callback_url_display: string, 
/**
 * The Entra platform the redirect URI belongs under.
 */
platform: string, requirements: Array<string>, 
/**
 * What was cleaned up from the input.
 */
notes: Array<string>, };

export type CheckStatus = "ok" | "warning" | "failed" | "skipped";

export type CheckStep = { 
/**
 * Stable: `dns`, `https`, `tenant`, `app`, `secret-expiry`, ...
 */
id: string, label: string, status: CheckStatus, millis: number, detail: string, 
/**
 * Set for `failed` and `warning`.
 */
diagnosis: Diagnosis | null, };

export type ServerProbe = { checks: Array<CheckStep>, };

export type WizardStep = "server" | "app-registration" | "admin-consent" | "account" | "channel-options" | "verify-export";

export type ServerDraft = { kind: ServerKind, fqdn: string, callback_template: string, };

export type AppDraft = { client_id: string, tenant: string, cloud: CloudPreset, 
/**
 * `None` follows the server kind.
 */
channel: ChannelKind | null, 
/**
 * When admin consent was granted, the tenant that granted it.
 */
consented_tenant: string | null, };

export type AccountDraft = { shared: boolean, shared_address: string, flow: SignInFlow, login_hint: string, 
/**
 * The profile this wizard run connected (or picked).
 */
profile: string | null, };

export type OptionsDraft = { 
/**
 * What the server stores: a Graph folder id, or the IMAP path.
 */
folder_id: string, 
/**
 * The folder as people read it (`Inbox/Inquiries/Tech-Support`).
 */
folder_path: string, 
/**
 * The destination group's name, as typed or picked.
 */
group: string, 
/**
 * The group's id on the helpdesk when it was picked from its list (Zammad's `group_id`);
 * empty when the name was typed.
 */
group_id: string, 
/**
 * Mark imported mail read (true) or delete it (false).
 */
keep_on_server: boolean, archive: boolean, 
/**
 * YYYY-MM-DD: mail received on or before the end of that day is archived.
 */
archive_before: string, 
/**
 * The ticket state archived mail gets (Zammad: `closed`).
 */
archive_state: string, };

export type Draft = { step: WizardStep, server: ServerDraft, app: AppDraft, account: AccountDraft, options: OptionsDraft, 
/**
 * The wizard runs against the sandbox tenant (restarted when the app reopens).
 */
sandbox: boolean, };

export type SecretStoreStatus = { backend: string, available: boolean, problem: Diagnosis | null, };

export type CloudPreset = "global" | "usgov" | "usgov-dod" | "china";

export type TlsMode = "implicit" | "starttls" | "none";

export type Cloud = { 
/**
 * A short name for people: "Global", "Sandbox", ...
 */
name: string, 
/**
 * `https://login.microsoftonline.com`: `/{tenant}/oauth2/v2.0/...` hangs below it.
 */
authority: string, 
/**
 * `https://graph.microsoft.com`: `/v1.0/...` hangs below it.
 */
graph: string, 
/**
 * The resource identifiers scopes are named with (`{graph_resource}/Mail.Send`). They equal
 * the public URLs, so they stay the same when a URL is overridden (sandbox, tests, proxies).
 */
graph_resource: string, outlook_resource: string, 
/**
 * `host:port` of IMAP (implicit TLS) and SMTP submission (STARTTLS).
 */
imap: string, smtp: string, 
/**
 * How each is secured; `none` only for a loopback host (see [`Cloud::mail_endpoint`]).
 */
imap_tls: TlsMode, smtp_tls: TlsMode, 
/**
 * The admin portal where app registrations are edited (for deep links).
 */
portal: string, };

export type TenantInfo = { 
/**
 * The tenant's GUID, from the issuer.
 */
tenant_id: string, issuer: string, token_endpoint: string, authorization_endpoint: string, };

export type Identity = { 
/**
 * `oid`: stable for the user across apps in the tenant.
 */
object_id: string, 
/**
 * `tid`.
 */
tenant_id: string, 
/**
 * `preferred_username`: the sign-in name (usually the address).
 */
username: string, 
/**
 * `name`, when the token carries it.
 */
display_name: string | null, };

export type SandboxInfo = { cloud: Cloud, 
/**
 * Found by OpenID discovery against the simulator, as for a real tenant.
 */
tenant: TenantInfo, tenant_domain: string, client_id: string, user: string, shared_mailbox: string, helpdesk_fqdn: string, 
/**
 * Why IMAP and SMTP are not simulated, when they are not.
 */
mail_note: string | null, };

export type ChannelKind = "imap-delegated" | "graph-delegated" | "graph-application";

export type PermissionType = "Scope" | "Role";

export type Permission = { name: string, id: string, type: PermissionType, resource_app_id: string, 
/**
 * Why the channel needs it, in a few words.
 */
purpose: string, };

export type PermissionCheck = { permission: Permission, granted: boolean | null, };

export type TenantForm = "guid" | "domain" | "organizations";

export type AppInput = { client_id: string, tenant: string, 
/**
 * Empty when the secret is already in the keyring.
 */
client_secret?: string, };

export type SecretExpiry = { 
/**
 * The secret's ID (`keyId`) and name in Certificates & secrets.
 */
key_id: string, display_name: string | null, 
/**
 * RFC 3339.
 */
expires: string, days_left: bigint, };

export type AppCheck = { client_id: string, 
/**
 * The tenant as discovered; `None` when discovery failed.
 */
tenant: TenantInfo | null, steps: Array<CheckStep>, secret_expiry: SecretExpiry | null, 
/**
 * Verified against the app-only token's roles where the channel is app-only.
 */
checklist: Array<PermissionCheck>, 
/**
 * Deep links into the admin portal.
 */
permissions_page: string, credentials_page: string, 
/**
 * What was cleaned up from the input.
 */
notes: Array<string>, };

export type ConsentGranted = { 
/**
 * The tenant that consented, as Microsoft reports it.
 */
tenant_id: string, scope: string | null, };

export type DeviceCodePrompt = { user_code: string, verification_uri: string, 
/**
 * Seconds until the code expires.
 */
expires_in: number, 
/**
 * Seconds to wait between polls.
 */
interval: number, 
/**
 * Microsoft's own sentence with the URL and the code.
 */
message: string, };

export type DesiredApp = { display_name: string, 
/**
 * `AzureADMyOrg`, or `AzureADMultipleOrgs` where the helpdesk signs in through /common (FreeScout).
 */
sign_in_audience: string, 
/**
 * Web platform redirect URIs: the server's callback URL, then `http://localhost`.
 */
web_redirect_uris: Array<string>, channel: ChannelKind, 
/**
 * "Allow public client flows" (isFallbackPublicClient): device code sign-in of the mailbox
 * needs it. Default: on for the delegated channels, off for app-only.
 */
allow_public_client_flows: boolean, 
/**
 * Lifetime of a new client secret, 1..=24 months.
 */
secret_months: number, 
/**
 * The appId of the registration to repair; without it the app is looked up by name.
 */
existing_client_id: string | null, 
/**
 * Add a new client secret to an existing app even though it has a valid one. A new app
 * always gets one; an existing app without an unexpired secret gets one regardless.
 */
new_secret: boolean, };

export type Action = { "kind": "create-application" } | { "kind": "set-sign-in-audience", audience: string, } | { "kind": "add-redirect-uris", uris: Array<string>, } | { "kind": "add-permissions", permissions: Array<string>, } | { "kind": "set-public-client-flows", enabled: boolean, } | { "kind": "add-secret", months: number, } | { "kind": "create-service-principal" } | { "kind": "grant-delegated", scopes: Array<string>, } | { "kind": "assign-app-roles", roles: Array<string>, };

export type Change = { action: Action, 
/**
 * What happens, in a sentence for people.
 */
summary: string, 
/**
 * The Graph request that does it, such as `PATCH /v1.0/applications/{id}`.
 */
call: string, };

export type ExistingApp = { object_id: string, client_id: string, display_name: string, };

export type Plan = { desired: DesiredApp, existing: ExistingApp | null, 
/**
 * What was found, and "nothing to do" when the registration already matches.
 */
notes: Array<string>, changes: Array<Change>, };

export type NewSecret = { 
/**
 * The secret's keyId (the "Secret ID" column in the portal; not the value).
 */
secret_id: string, 
/**
 * RFC 3339.
 */
expires: string, };

export type Applied = { client_id: string, tenant_id: string, 
/**
 * The application object's id (not the client ID).
 */
object_id: string, service_principal_id: string, secret: NewSecret | null, 
/**
 * What was done, a sentence per change.
 */
done: Array<string>, };

export type AppliedOnce = { applied: Applied, secret_value: string | null, };

export type MailboxRef = { "kind": "user", address: string, } | { "kind": "shared", address: string, delegate: Identity, };

export type ProfileCloud = { "kind": "preset", preset: CloudPreset, } | { "kind": "sandbox" };

export type SignInFlow = "browser" | "embedded" | "device" | "client-credentials";

export type Resource = "graph" | "outlook";

export type GrantedScopes = { graph: Array<string>, outlook: Array<string>, };

export type FolderRef = { 
/**
 * What the server stores: the Graph mail folder id, or the IMAP folder name with the
 * server's delimiter.
 */
id: string, 
/**
 * As people read it: `Inbox/Inquiries/Tech-Support`.
 */
path: string, };

export type ArchiveMode = { 
/**
 * Mail received on or before this instant is archived (the end of the chosen day, UTC).
 */
before: string, 
/**
 * The ticket state archived mail gets: a state name such as `closed`, or the server's id.
 */
state: string, };

export type ChannelSetup = { server: ServerKind, 
/**
 * The helpdesk's callback URL, registered as a Web redirect URI in Entra.
 */
callback_url: string, 
/**
 * The destination group: a name, or the helpdesk's group id.
 */
group: string, folder: FolderRef, 
/**
 * Imported mail is marked read (true) or deleted (false).
 */
keep_on_server: boolean, 
/**
 * `None`: every mail becomes a new ticket.
 */
archive: ArchiveMode | null, };

export type Profile = { 
/**
 * The format version ([`PROFILE_VERSION`]).
 */
version: number, 
/**
 * Unique among profiles (compared without regard to case); the mailbox address by default.
 */
name: string, mailbox: MailboxRef, 
/**
 * Who signed in: the mailbox's user, or a shared mailbox's delegate (for app-only, the app).
 */
identity: Identity, tenant_id: string, client_id: string, 
/**
 * The app authenticates with its client secret (kept in the keyring under
 * `app/{client_id}/client-secret`); otherwise it is a public client.
 */
confidential_client: boolean, cloud: ProfileCloud, channel: ChannelKind, flow: SignInFlow, scopes: GrantedScopes, 
/**
 * When the last access token handed out expires (any audience); informational.
 */
access_expires_at: string | null, last_refreshed_at: string | null, 
/**
 * When someone last signed in interactively for this profile (creation or re-auth).
 */
signed_in_at: string, created_at: string, 
/**
 * The channel options step's choices, once made (folder, group, archive mode, server).
 */
channel_setup: ChannelSetup | null, };

export type ProfileList = { profiles: Array<Profile>, damaged: Array<Diagnosis>, };

export type Deleted = { profile: string, 
/**
 * The keyring keys removed (names only).
 */
keyring_keys: Array<string>, 
/**
 * Why the app's client secret was kept, when it was.
 */
client_secret_kept: string | null, };

export type MailboxChoice = { "kind": "user" } | { "kind": "shared", address: string, };

export type NewProfile = { 
/**
 * Defaults to the mailbox address.
 */
name: string | null, mailbox: MailboxChoice, client_id: string, confidential_client: boolean, cloud: ProfileCloud, channel: ChannelKind, };

export type NeedsSignIn = { profile: string, 
/**
 * `reauth.700082`, `reauth.50173`, `reauth.invalid_grant`, `reauth.no_refresh_token`, ...
 * (the diagnosis code, stable).
 */
reason_code: string, 
/**
 * Why, for the person at the screen.
 */
user_words: string, 
/**
 * Who should sign in: the user of a user mailbox; empty for a shared mailbox (any delegate).
 */
sign_in_as: string | null, 
/**
 * What Microsoft said, as the catalog explains it (never the raw body).
 */
microsoft_says: string | null, };

export type SignInSummary = { identity: Identity, granted_scopes: Array<string>, resource: Resource, 
/**
 * RFC 3339.
 */
access_expires_at: string, has_refresh_token: boolean, };

export type AppOnlyTarget = "graph" | "imap-smtp";

export type ServicePrincipal = { 
/**
 * The enterprise application's object ID (not the app registration's).
 */
object_id: string, display_name: string, };

export type AppOnlySetup = { client_id: string, tenant_id: string, mailbox: string, 
/**
 * The enterprise application's object ID, when it could be read.
 */
service_principal_id: string | null, 
/**
 * The steps, ready to paste into PowerShell (placeholders in <angle brackets> when an ID
 * was not known; the comments say where to find it).
 */
script: string, };

export type SendAsStatus = { "status": "own" } | { "status": "left-to-send-test", reason: string, };

export type MailboxAccess = { mailbox: string, 
/**
 * Who signed in (the owner, or the delegate of a shared mailbox).
 */
signed_in_as: string, shared: boolean, 
/**
 * Graph opened the mailbox's Inbox with this person's token.
 */
inbox_readable: boolean, send_as: SendAsStatus, };

export type InboxFacts = { messages: number, uid_validity: number | null, uid_next: number | null, 
/**
 * The hierarchy delimiter of folder names (`/` on Exchange Online and in the sandbox).
 */
delimiter: string | null, };

export type ImapCheck = { 
/**
 * `host:port` as connected to.
 */
server: string, tls: TlsMode, 
/**
 * The mailbox signed in to (the XOAUTH2 user name).
 */
mailbox: string, 
/**
 * `imap-connect`, `imap-auth`, `imap-inbox`, each timed; after a failure the rest are skipped.
 */
steps: Array<CheckStep>, 
/**
 * Set when INBOX opened.
 */
inbox: InboxFacts | null, };

export type SmtpCheck = { 
/**
 * `host:port` as connected to.
 */
server: string, tls: TlsMode, 
/**
 * The mailbox signed in as (the XOAUTH2 user name).
 */
mailbox: string, 
/**
 * `smtp-connect` (with TLS) and `smtp-auth`, each timed; after a failure the rest are skipped.
 */
steps: Array<CheckStep>, };

export type Connected = { profile: Profile | null, checks: Array<CheckStep>, 
/**
 * App-only over IMAP/SMTP: the Exchange Online PowerShell steps, filled in.
 */
setup: AppOnlySetup | null, };

export type MessageSummary = { 
/**
 * Graph's message id, or over IMAP `UIDVALIDITY:UID` (valid in its folder).
 */
id: string, 
/**
 * `Name <address>`, or the address alone.
 */
from: string, subject: string, 
/**
 * ISO 8601, UTC: Graph's `receivedDateTime`, or IMAP's `INTERNALDATE`.
 */
received: string, 
/**
 * In bytes: IMAP's `RFC822.SIZE`, or over Graph the message's `PR_MESSAGE_SIZE`.
 */
size: number | null, has_attachments: boolean, is_read: boolean, };

export type MessagePage = { messages: Array<MessageSummary>, 
/**
 * Opaque: hand it back for the next page; `None` on the last page.
 */
next: string | null, 
/**
 * Requests (Graph) or commands after sign-in (IMAP) this page cost.
 */
round_trips: number, };

export type SearchScope = { "kind": "folder", folder: string, } | { "kind": "all_folders" };

export type SearchQuery = { 
/**
 * Free text: over Graph in from, subject and body; over IMAP anywhere in the message.
 */
text: string | null, 
/**
 * The sender's address, or part of their name.
 */
from: string | null, subject: string | null, since: string | null, before: string | null, has_attachments: boolean, scope: SearchScope, };

export type SearchHit = { 
/**
 * A `Folder::id`: Graph's `parentFolderId`, or the IMAP folder's name.
 */
folder: string, 
/**
 * Graph's message id, or over IMAP `UIDVALIDITY:UID` (valid in its folder).
 */
id: string, 
/**
 * `Name <address>`, or the address alone.
 */
from: string, subject: string, 
/**
 * ISO 8601, UTC: Graph's `receivedDateTime`, or IMAP's `INTERNALDATE`.
 */
received: string, 
/**
 * In bytes: IMAP's `RFC822.SIZE`, or over Graph the message's `PR_MESSAGE_SIZE`.
 */
size: number | null, has_attachments: boolean, is_read: boolean, };

export type SearchPage = { 
/**
 * Newest first: by received date in a folder (as the folder view), by sent date over
 * Graph's `$search`; over IMAP across folders, folder by folder.
 */
messages: Array<SearchHit>, 
/**
 * Opaque: hand it back (with the same query) for the next page; `None` on the last.
 */
next: string | null, 
/**
 * Requests (Graph) or commands after sign-in (IMAP) this page cost.
 */
round_trips: number, 
/**
 * `Some(1000)` when the results reached Graph's limit for `$search`: more messages may
 * match than are listed; narrow the search (a sender, a date range).
 */
capped: number | null, 
/**
 * The search was stopped before the page was full; `next` goes on from there.
 */
stopped: boolean, 
/**
 * IMAP across folders: the folders searched for this page.
 */
folders_searched: number, };

export type SearchProgress = { 
/**
 * The folder just searched.
 */
folder: string, 
/**
 * Folders searched so far, of `folders_total`, for this page.
 */
folders_done: number, folders_total: number, 
/**
 * Messages found so far for this page.
 */
found: number, };

export type AttachmentInfo = { 
/**
 * Pass to `attachment_bytes` to save it.
 */
index: number, name: string, content_type: string, size: number, };

export type RemoteImageFailure = { 
/**
 * As the message gives it (cut to 200 characters).
 */
url: string, 
/**
 * Why, with particulars: "points into your local network (10.0.0.5, a private network)".
 */
reason: string, 
/**
 * Why, the same words for every image refused alike: "points into your local network".
 */
summary: string, };

export type MessageView = { 
/**
 * From, To, Cc, Date, Subject, Message-ID, in that order, those present.
 */
headers: Array<[string, string]>, 
/**
 * The Date header as the sender's program wrote it (unfolded, at most 200 characters):
 * `headers` holds it parsed, as RFC 3339.
 */
date_raw: string | null, text: string | null, 
/**
 * Safe to show in a sandboxed iframe without scripts.
 */
html_sanitized: string | null, 
/**
 * Remote images removed from the HTML: blocked, or once allowed, the distinct ones that
 * could not be loaded.
 */
remote_images: number, 
/**
 * Why each allowed remote image could not be loaded (the first 100).
 */
remote_image_failures: Array<RemoteImageFailure>, attachments: Array<AttachmentInfo>, raw_size: number, 
/**
 * What could not be parsed, in words for the user.
 */
notices: Array<string>, };

export type SecretRef = { 
/**
 * The OS keyring service (Secret Service attribute `service`) holding it.
 */
keyring_service: string, 
/**
 * The entry's name in that service (attribute `username`).
 */
keyring_key: string, 
/**
 * How to supply it where this file is used.
 */
supply: string, };

export type IncludedSecrets = { "kind": "age", armored: string, } | { "kind": "plain", client_secret: string | null, refresh_token: string | null, };

export type ProfileRecord = { name: string, created_at: string, last_refreshed_at: string | null, access_expires_at: string | null, };

export type CloudRecord = { place: ProfileCloud, endpoints: Cloud, };

export type ChannelConfig = { 
/**
 * Always `m365-onboard/channel-config`.
 */
format: string, 
/**
 * The format version (1 is the first).
 */
version: number, exported_at: string, 
/**
 * The program and version that wrote it.
 */
exported_by: string, profile: ProfileRecord, cloud: CloudRecord, 
/**
 * The tenant's GUID.
 */
tenant_id: string, client_id: string, 
/**
 * Where the app's client secret is; null for a public client (no secret).
 */
client_secret: SecretRef | null, flow: SignInFlow, channel: ChannelKind, 
/**
 * The scopes granted, per resource (short names; the resources are the cloud's
 * `graph_resource` and `outlook_resource`).
 */
scopes: GrantedScopes, 
/**
 * Who signed in: the mailbox's user, a shared mailbox's delegate, or (app-only) the app.
 */
signed_in_as: Identity, mailbox: MailboxRef, 
/**
 * Where the mailbox's refresh token is; null for app-only access, which has none.
 */
refresh_token: SecretRef | null, 
/**
 * The channel options step's choices; null until they are made.
 */
setup: ChannelSetup | null, 
/**
 * When the mailbox was last verified over the channel's protocol (a profile is kept, and
 * renewed, only after its checks passed).
 */
verified_at: string, 
/**
 * The secrets themselves, only when the export was asked to include them.
 */
secrets: IncludedSecrets | null, };

export type ExportFormat = "json" | "zammad" | "emailproxy" | "env";

export type ExportOptions = { 
/**
 * emailproxy.config: the local ports the proxy listens on for the mail client.
 */
proxy_imap_port: number, proxy_smtp_port: number, };

export type SecretsIncluded = "none" | "encrypted" | "plain";

export type Export = { format: ExportFormat, 
/**
 * The file's text.
 */
content: string, 
/**
 * How to use it, for a file written beside it ([`readme_path`]).
 */
readme: string | null, secrets: SecretsIncluded, };

export type Imported = { profile: Profile, 
/**
 * The keyring entries written (names only).
 */
keyring_keys: Array<string>, 
/**
 * Secrets the profile needs that the file did not carry, each with what to do.
 */
missing: Array<string>, };

export type CopyValue = { label: string, value: string, };

export type CopyCard = { id: string, title: string, values: Array<CopyValue>, 
/**
 * What the server requires of the app registration or the mailbox, in words.
 */
rules: Array<string>, };

export type Health = "OK" | "UNKNOWN" | "WARNING" | "CRITICAL";

export type HealthCheck = { 
/**
 * Stable: `tenant`, `app`, `secret-expiry`, `exports`, `token`, `permissions`, the mailbox
 * checks of the channel (`graph`, `imap`, `smtp`, …), `folder`.
 */
id: string, label: string, status: Health, detail: string, 
/**
 * The catalogue's code, cause and fix, when the status is not OK.
 */
code: string | null, cause: string | null, fix: string | null, 
/**
 * What was measured: `days_left`, `total`, `unread`, `millis`.
 */
values: Record<string, number>, };

export type ProfileHealth = { profile: string, 
/**
 * The mailbox address; empty when the profile cannot be read.
 */
mailbox: string, tenant: string, channel: string, status: Health, 
/**
 * RFC 3339, UTC.
 */
checked_at: string, checks: Array<HealthCheck>, };

export type Expiring = { profile: string, 
/**
 * Days left today: the measured days less the whole days since that check; negative once
 * expired.
 */
days_left: number, 
/**
 * `YYYY-MM-DD`, UTC.
 */
expires_on: string, 
/**
 * The catalogue's fix from that check.
 */
fix: string | null, };

export type AppSecret = { 
/**
 * The "Secret ID" column of Certificates & secrets.
 */
key_id: string, display_name: string | null, hint: string, 
/**
 * RFC 3339.
 */
expires: string, days_left: number, };

export type AppSecrets = { 
/**
 * The application object's id (not the client ID).
 */
object_id: string, display_name: string, secrets: Array<AppSecret>, };

export type WrittenExport = { 
/**
 * Absolute.
 */
path: string, format: ExportFormat, secrets: SecretsIncluded, options: ExportOptions, written_at: string, };

export type ExportAction = "rewrite" | "rewrite-with-passphrase" | "enter-by-hand" | "gone";

export type ExportStep = { profile: string, export: WrittenExport, action: ExportAction, };

export type RenewalPlan = { profile: string, tenant_id: string, client_id: string, app: AppSecrets, 
/**
 * The secret the profiles use now; `None` when the app lists none with its hint.
 */
current: AppSecret | null, 
/**
 * The secret an interrupted renewal added and kept aside: proven and kept on apply instead
 * of adding another.
 */
resume: AppSecret | null, new_name: string, months: number, 
/**
 * Every profile of this app: they all change to the new secret.
 */
profiles: Array<string>, exports: Array<ExportStep>, 
/**
 * What apply does, in order, a sentence each.
 */
steps: Array<string>, };

export type ExportDone = { profile: string, path: string, written: boolean, 
/**
 * A sentence: what was done, or what the admin still has to do.
 */
note: string, };

export type Renewed = { 
/**
 * The new secret's ID and end date (its value is in the keyring, and in `value` once).
 */
secret_id: string, expires: string, 
/**
 * The proof: the fetch test made with the new secret.
 */
proof: CheckStep, exports: Array<ExportDone>, 
/**
 * Every profile of the app, checked with the secret now kept.
 */
health: Array<ProfileHealth>, 
/**
 * The old secret, still valid, to remove once the server has the new one.
 */
old: AppSecret | null, };

export type RenewedOnce = { renewed: Renewed, secret_value: string, };
