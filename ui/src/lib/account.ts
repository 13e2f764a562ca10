// The account step's rules. Pure functions, tested by Vitest.
import type { ChannelKind, Profile, SignInFlow } from './bindings';

export const FLOWS: Record<SignInFlow, { title: string; hint: string }> = {
  browser: { title: 'System browser', hint: 'Your browser opens Microsoft’s sign-in; the answer comes back to this app.' },
  embedded: {
    title: 'Window with the helpdesk’s callback',
    hint: 'For app registrations that only know the helpdesk’s redirect URI: the sign-in happens in a window of this app.',
  },
  device: { title: 'Device code', hint: 'Sign in on any device with a code shown here.' },
  'client-credentials': {
    title: 'App-only (no user)',
    hint: 'The app signs in with its own secret; an administrator grants it access to the mailbox.',
  },
};

/** The sign-in methods a channel can use: app-only Graph has no user; delegated Graph has no app-only. */
export function flowsFor(channel: ChannelKind): SignInFlow[] {
  switch (channel) {
    case 'graph-application':
      return ['client-credentials'];
    case 'graph-delegated':
      return ['browser', 'embedded', 'device'];
    case 'imap-delegated':
      return ['browser', 'embedded', 'device', 'client-credentials'];
  }
}

/** A mailbox without a signed-in user needs its address typed (shared, or app-only). */
export function needsAddress(shared: boolean, flow: SignInFlow): boolean {
  return shared || flow === 'client-credentials';
}

/** "support@contoso.com — shared, via alice@contoso.com". */
export function describeProfile(p: Profile): string {
  if (p.mailbox.kind === 'user') return `${p.mailbox.address} — user mailbox`;
  if (p.flow === 'client-credentials') return `${p.mailbox.address} — app-only`;
  return `${p.mailbox.address} — shared, via ${p.mailbox.delegate.username}`;
}
