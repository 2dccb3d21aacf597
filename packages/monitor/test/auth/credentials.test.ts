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
    expect(checker.check('ada', 'correct horse')).toBe('admin');
    expect(checker.check('bob', 'battery staple')).toBe('read-only');
    expect(checker.check('ada', 'battery staple')).toBeUndefined();
    expect(checker.check('ada', 'correct hors')).toBeUndefined();
    expect(checker.check('ada', 'correct horse ')).toBeUndefined();
    expect(checker.check('nobody', 'correct horse')).toBeUndefined();
    expect(checker.roleOf('bob')).toBe('read-only');
    expect(checker.roleOf('nobody')).toBeUndefined();
  });

  it('reads HTTP Basic credentials', () => {
    const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
    expect(checker.checkBasic(basic('ada:correct horse'))).toBe('admin');
    expect(checker.checkBasic(basic('ada:wrong'))).toBeUndefined();
    expect(checker.checkBasic(basic('no-colon'))).toBeUndefined();
    expect(checker.checkBasic('Bearer abc')).toBeUndefined();
  });
});
