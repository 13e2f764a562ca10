// Typed calls into the Rust commands; the types come from the Rust core (bindings.ts).
import { invoke } from '@tauri-apps/api/core';
import type {
  Diagnosis,
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
