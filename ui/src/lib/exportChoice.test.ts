import { describe, expect, it } from 'vitest';
import { defaultFormat, secretProblem } from './exportChoice';

describe('export choice', () => {
  it('picks the format of the helpdesk', () => {
    expect(defaultFormat('zammad-graph')).toBe('zammad');
    expect(defaultFormat('zammad-imap')).toBe('zammad');
    expect(defaultFormat('custom')).toBe('env');
    expect(defaultFormat('freescout')).toBe('emailproxy');
  });

  it('asks for a long passphrase and a second confirmation for plain secrets', () => {
    expect(secretProblem('omit', '', false)).toBeNull();
    expect(secretProblem('encrypt', '', false)).toMatch(/passphrase/);
    expect(secretProblem('encrypt', 'correct horse battery', false)).toBeNull();
    expect(secretProblem('plain', '', false)).toMatch(/Confirm/);
    expect(secretProblem('plain', '', true)).toBeNull();
  });
});
