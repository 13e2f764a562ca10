// Reading the app registration step's results. Pure functions, tested by Vitest.
import type { AppCheck, ChannelKind, ServerKind } from './bindings';

/** Nothing failed and the secret was tried (an unknown expiry is not a failure), as in Rust. */
export function appCheckOk(c: AppCheck): boolean {
  return c.steps.every((s) => s.status !== 'failed') && c.steps.some((s) => s.id === 'app' && s.status === 'ok');
}

/** The channel a helpdesk uses unless the admin picks another (ChannelKind::for_server). */
export function defaultChannel(kind: ServerKind): ChannelKind {
  return kind === 'zammad-graph' ? 'graph-delegated' : 'imap-delegated';
}

export const CHANNELS: { id: ChannelKind; title: string }[] = [
  { id: 'imap-delegated', title: 'IMAP/SMTP, signed-in user' },
  { id: 'graph-delegated', title: 'Graph, signed-in user' },
  { id: 'graph-application', title: 'Graph, app-only (no user)' },
];
