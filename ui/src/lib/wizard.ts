// The wizard's steps and the rules for moving between them. Pure functions, tested by Vitest.
import type { WizardStep } from './bindings';

export interface StepInfo {
  id: WizardStep;
  title: string;
  /** What the step does, shown on screens that are not built yet. */
  summary: string;
  built: boolean;
}

export const STEPS: readonly StepInfo[] = [
  {
    id: 'server',
    title: 'Server',
    summary: 'Which helpdesk, its host name, and the callback URL to register in Entra.',
    built: true,
  },
  {
    id: 'app-registration',
    title: 'App registration',
    summary:
      'Client ID, client secret, tenant and national cloud, checked live against Microsoft; the permission checklist; or let the wizard create the app registration for you.',
    built: true,
  },
  {
    id: 'admin-consent',
    title: 'Admin consent',
    summary: 'Open the admin consent page in your browser and capture the result, with every AADSTS error explained.',
    built: true,
  },
  {
    id: 'account',
    title: 'Account',
    summary: 'Sign in the user or shared mailbox; tokens go to the OS keyring.',
    built: true,
  },
  {
    id: 'channel-options',
    title: 'Channel options',
    summary: 'Destination group, folder, keep messages on server, and archive mode with live counts.',
    built: true,
  },
  {
    id: 'verify-export',
    title: 'Verify and export',
    summary: 'A send test and a fetch test, then the channel config for your server.',
    built: true,
  },
];

/** A step's state as the stepper shows it. */
export type Validity = 'valid' | 'invalid' | 'unchecked';

export const stepIndex = (id: WizardStep) => STEPS.findIndex((s) => s.id === id);

export function nextStep(id: WizardStep): WizardStep | null {
  return STEPS[stepIndex(id) + 1]?.id ?? null;
}

export function previousStep(id: WizardStep): WizardStep | null {
  const i = stepIndex(id);
  return i > 0 ? STEPS[i - 1].id : null;
}

/** A built step must be valid to leave forwards; a step not built yet has nothing to check. */
export function canAdvance(id: WizardStep, validity: Partial<Record<WizardStep, Validity>>): boolean {
  const step = STEPS[stepIndex(id)];
  if (!step || nextStep(id) === null) return false;
  return !step.built || validity[id] === 'valid';
}

/** Steps may be revisited by clicking them; a later step only when every built step before it is valid. */
export function canJumpTo(target: WizardStep, validity: Partial<Record<WizardStep, Validity>>): boolean {
  return STEPS.slice(0, stepIndex(target)).every((s) => !s.built || validity[s.id] === 'valid');
}
