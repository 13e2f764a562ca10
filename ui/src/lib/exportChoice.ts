// The Export card's rules. Pure functions, tested by Vitest.
import type { ExportFormat, ServerKind } from './bindings';

export const FORMATS: readonly { id: ExportFormat; title: string; hint: string }[] = [
  { id: 'zammad', title: 'Zammad', hint: 'The app credentials and the channel record, with a README on loading them.' },
  {
    id: 'emailproxy',
    title: 'emailproxy.config',
    hint: 'For email-oauth2-proxy, so a password-only helpdesk can use this mailbox.',
  },
  { id: 'env', title: 'Env file', hint: 'M365_* variables for a custom server, each explained.' },
  { id: 'json', title: 'Neutral JSON', hint: 'Everything the wizard knows; the Account step (or the CLI) imports it back.' },
];

/** The format that fits the helpdesk chosen in the Server step. */
export function defaultFormat(kind: ServerKind): ExportFormat {
  if (kind === 'zammad-graph' || kind === 'zammad-imap') return 'zammad';
  if (kind === 'custom') return 'env';
  return 'emailproxy';
}

export type SecretMode = 'omit' | 'encrypt' | 'plain';

/**
 * Why the export cannot start yet, or null. Plain secrets need the second confirmation; the
 * passphrase's strength is checked in Rust, which names the field if it is too weak.
 */
export function secretProblem(mode: SecretMode, passphrase: string, confirmedPlain: boolean): string | null {
  if (mode === 'encrypt' && passphrase === '') return 'Type the passphrase that will protect the secrets.';
  if (mode === 'plain' && !confirmedPlain) return 'Confirm that the file will hold the secrets in clear.';
  return null;
}
