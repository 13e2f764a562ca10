// Typed calls into the Rust commands; the types come from the Rust core (bindings.ts).
import { invoke } from '@tauri-apps/api/core';
import type {
  AccountDraft,
  Expiring,
  ProfileHealth,
  AppCheck,
  AppDraft,
  Connected,
  Deleted,
  ProfileList,
  ServerDraft,
  AppInput,
  AppliedOnce,
  AppSecret,
  RenewalPlan,
  RenewedOnce,
  ArchiveCounts,
  Folder,
  CopyCard,
  ExportFormat,
  OptionsDraft,
  HelpdeskGroup,
  Imported,
  MessagePage,
  SearchPage,
  SearchQuery,
  MessageView,
  CheckStep,
  ChannelKind,
  CloudPreset,
  ConsentGranted,
  DeviceCodePrompt,
  Diagnosis,
  Plan,
  Draft,
  SandboxInfo,
  SecretStoreStatus,
  ServerCheck,
  ServerCheckInput,
  ServerProbe,
} from './bindings';

export const checkServer = (input: ServerCheckInput) => invoke<ServerCheck>('check_server', { input });
export const probeServer = (input: ServerCheckInput) => invoke<ServerProbe>('probe_server', { input });
export const loadDraft = () => invoke<Draft>('load_draft');
export const saveDraft = (draft: Draft) => invoke<void>('save_draft', { draft });
export const secretStoreStatus = () => invoke<SecretStoreStatus>('secret_store_status');
export const startSandbox = () => invoke<SandboxInfo>('start_sandbox');
export const stopSandbox = () => invoke<void>('stop_sandbox');

export const checkApp = (input: AppInput, channel: ChannelKind, preset: CloudPreset) =>
  invoke<AppCheck>('check_app', { input, channel, preset });
export const clientSecretSaved = (clientId: string) => invoke<boolean>('client_secret_saved', { clientId });
export const adminSignInStart = (tenant: string, preset: CloudPreset, adminClientId: string | null) =>
  invoke<DeviceCodePrompt>('admin_sign_in_start', { tenant, preset, adminClientId });
export const adminSignInFinish = () => invoke<void>('admin_sign_in_finish');
export const adminSignInCancel = () => invoke<void>('admin_sign_in_cancel');
export const planApp = (args: {
  name: string;
  server: ServerCheckInput;
  channel: ChannelKind;
  secretMonths: number;
  existingClientId: string | null;
}) => invoke<Plan>('plan_app', args);
export const applyApp = () => invoke<AppliedOnce>('apply_app');
export const renewalSignInStart = (profile: string, adminClientId: string | null) =>
  invoke<DeviceCodePrompt>('renewal_sign_in_start', { profile, adminClientId });
export const renewalPlan = (profile: string, months: number) => invoke<RenewalPlan>('renewal_plan', { profile, months });
export const renewalApply = (passphrase: string | null) => invoke<RenewedOnce>('renewal_apply', { passphrase });
export const renewalRetire = (profile: string, keyId: string) => invoke<AppSecret>('renewal_retire', { profile, keyId });
export const consentLink = (tenant: string, clientId: string, redirectUri: string, preset: CloudPreset) =>
  invoke<string>('consent_link', { tenant, clientId, redirectUri, preset });
export const grantAdminConsent = (tenant: string, clientId: string, preset: CloudPreset) =>
  invoke<ConsentGranted>('grant_admin_consent', { tenant, clientId, preset });
export const cancelAdminConsent = () => invoke<void>('cancel_admin_consent');
export const openLink = (url: string) => invoke<void>('open_link', { url });

/** Every command fails with a Diagnosis; anything else (a bug, a dead IPC) is wrapped in one. */
export function asDiagnosis(e: unknown): Diagnosis {
  if (e && typeof e === 'object' && 'code' in e && 'fix' in e) return e as Diagnosis;
  return {
    code: 'app.unexpected',
    title: 'Something unexpected went wrong',
    detail: String(e),
    fix: 'Try again; if it keeps happening, restart the wizard and report the text above.',
    docs_url: null,
    field: null,
  };
}

export const listProfiles = () => invoke<ProfileList>('list_profiles');
export const deleteProfile = (name: string) => invoke<Deleted>('delete_profile', { name });
export const cancelSignIn = () => invoke<void>('cancel_sign_in');
export const mailboxFolders = (profile: string, hidden: boolean) =>
  invoke<Folder[]>('mailbox_folders', { profile, hidden });
export const archiveCounts = (profile: string, folder: string, before: string) =>
  invoke<ArchiveCounts>('archive_counts', { profile, folder, before });
export const reverifyProfile = (name: string) => invoke<CheckStep[]>('reverify_profile', { name });

/** Signs the mailbox in with the app of the earlier steps; `reauth` names a profile to renew. */
export function signInMailbox(
  app: AppDraft,
  channel: ChannelKind,
  account: AccountDraft,
  callbackUrl: string | null,
  reauth: string | null,
) {
  return invoke<Connected>('sign_in_mailbox', {
    appRef: { tenant: app.tenant, client_id: app.client_id, channel, preset: app.cloud },
    request: {
      mailbox: account.shared ? { kind: 'shared', address: account.shared_address } : { kind: 'user' },
      flow: account.flow,
      login_hint: account.login_hint,
      callback_url: callbackUrl,
      reauth,
    },
  });
}

/** The callback URL of the server step, or null while it is invalid. */
export async function callbackUrlOf(server: ServerDraft): Promise<string | null> {
  try {
    const check = await checkServer({
      kind: server.kind,
      fqdn: server.fqdn,
      callback_template: server.kind === 'custom' ? server.callback_template : null,
    });
    return check.callback_url;
  } catch {
    return null;
  }
}

export const previewPage = (profile: string, folder: string, cursor: string | null) =>
  invoke<MessagePage>('preview_page', { profile, folder, cursor });
export const previewMessage = (profile: string, folder: string, id: string, remoteImages: boolean) =>
  invoke<MessageView>('preview_message', { profile, folder, id, remoteImages });
export const previewRaw = (profile: string, folder: string, id: string) =>
  invoke<string>('preview_raw', { profile, folder, id });
/** Asks where to save (a native dialog); the saved path, or null when the user cancelled. */
export const saveAttachment = (profile: string, folder: string, id: string, index: number) =>
  invoke<string | null>('save_attachment', { profile, folder, id, index });
/** One page of a search (`cursor` continues it); progress across IMAP folders comes as `search-progress`. */
export const previewSearch = (profile: string, query: SearchQuery, cursor: string | null) =>
  invoke<SearchPage>('preview_search', { profile, query, cursor });
/** Stops the running search after its current folder; its page comes back `stopped`. */
export const stopSearch = () => invoke<void>('preview_search_stop');
/** Asks where to save the message as .eml; the saved path, or null when the user cancelled. */
export const saveMessage = (profile: string, folder: string, id: string, subject: string) =>
  invoke<string | null>('save_message', { profile, folder, id, subject });
export const fetchTest = (profile: string) => invoke<CheckStep>('fetch_test', { profile });
export const sendTest = (profile: string, to: string | null) => invoke<CheckStep>('send_test', { profile, to });
export const helpdeskGroups = (fqdn: string, apiToken: string) =>
  invoke<HelpdeskGroup[]>('helpdesk_groups', { fqdn, apiToken });

/** Keeps the channel options in the profile and saves its config; the files written, or null if cancelled. */
export const exportChannel = (args: {
  profile: string;
  server: ServerDraft;
  options: OptionsDraft;
  format: ExportFormat;
  passphrase: string | null;
  plain: boolean;
}) => invoke<string[] | null>('export_channel', args);
export const copyCards = (profile: string, server: ServerDraft) => invoke<CopyCard[]>('copy_cards', { profile, server });
export const chooseImportFile = () => invoke<string | null>('choose_import_file');
export const importProfile = (path: string, passphrase: string | null) =>
  invoke<Imported>('import_profile', { path, passphrase });

/** What the last health checks found, and the credentials that expire soon; no network. */
export const lastHealth = () =>
  invoke<{ last: Record<string, ProfileHealth>; expiring: Expiring[]; warn_days: number }>('last_health');
/** Checks `names` (every profile when empty), read-only; progress comes as `health-progress`. */
export const checkHealth = (names: string[]) => invoke<ProfileHealth[]>('check_health', { names });
