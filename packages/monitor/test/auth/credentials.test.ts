import { describe, expect, it } from 'vitest';
import { CredentialChecker } from '../../src/auth/credentials.js';

describe('CredentialChecker', () => {
  const checker = new CredentialChecker(
    new Map([
      ['ada', { password: Buffer.from('correct horse'), role: 'admin' as const }],
      ['bob', { password: Buffer.from('battery staple'), role: 'read-only' as const }],
    ]),
  );

  it('answers the role for the right password only', () => {
    expect(checker.authenticate('ada', 'correct horse')).toBe('admin');
    expect(checker.authenticate('bob', 'battery staple')).toBe('read-only');
    expect(checker.authenticate('ada', 'battery staple')).toBeUndefined();
    expect(checker.authenticate('ada', 'correct hors')).toBeUndefined();
    expect(checker.authenticate('ada', 'correct horse ')).toBeUndefined();
    expect(checker.authenticate('nobody', 'correct horse')).toBeUndefined();
    expect(checker.roleOf('bob')).toBe('read-only');
    expect(checker.roleOf('nobody')).toBeUndefined();
  });

  it('reads HTTP Basic credentials', () => {
    const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
    expect(checker.authenticateBasic(basic('ada:correct horse'))).toBe('admin');
    expect(checker.authenticateBasic(basic('ada:wrong'))).toBeUndefined();
    expect(checker.authenticateBasic(basic('no-colon'))).toBeUndefined();
    expect(checker.authenticateBasic('Bearer abc')).toBeUndefined();
  });
});
