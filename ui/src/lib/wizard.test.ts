import { describe, expect, it } from 'vitest';
import { STEPS, canAdvance, canJumpTo, nextStep, previousStep } from './wizard';

describe('wizard steps', () => {
  it('has the six steps of the design, in order', () => {
    expect(STEPS.map((s) => s.id)).toEqual([
      'server',
      'app-registration',
      'admin-consent',
      'account',
      'channel-options',
      'verify-export',
    ]);
  });

  it('moves forward and back one step at a time, stopping at the ends', () => {
    expect(nextStep('server')).toBe('app-registration');
    expect(nextStep('verify-export')).toBeNull();
    expect(previousStep('server')).toBeNull();
    expect(previousStep('admin-consent')).toBe('app-registration');
  });

  it('leaves a built step only when it is valid', () => {
    expect(canAdvance('server', {})).toBe(false);
    expect(canAdvance('server', { server: 'invalid' })).toBe(false);
    expect(canAdvance('server', { server: 'valid' })).toBe(true);
    expect(canAdvance('account', {})).toBe(false);
    expect(canAdvance('channel-options', {})).toBe(false);
    expect(canAdvance('channel-options', { 'channel-options': 'valid' })).toBe(true);
    expect(canAdvance('verify-export', {})).toBe(false);
  });

  it('jumps ahead only past valid built steps', () => {
    expect(canJumpTo('server', {})).toBe(true);
    expect(canJumpTo('account', {})).toBe(false);
    expect(canJumpTo('account', { server: 'valid' })).toBe(false);
    expect(canJumpTo('account', { server: 'valid', 'app-registration': 'valid', 'admin-consent': 'valid' })).toBe(true);
    expect(canJumpTo('channel-options', { server: 'valid', 'app-registration': 'valid', 'admin-consent': 'valid' })).toBe(false);
    expect(canJumpTo('admin-consent', { server: 'valid', 'app-registration': 'invalid' })).toBe(false);
  });
});
