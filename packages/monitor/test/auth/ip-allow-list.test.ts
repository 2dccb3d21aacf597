import { describe, expect, it } from 'vitest';
import { IpAllowList } from '../../src/auth/ip-allow-list.js';
import { MonitorOptionsError } from '../../src/index.js';

describe('IpAllowList', () => {
  it('matches addresses and CIDR ranges of both families, IPv4-mapped IPv6 as IPv4', () => {
    const list = new IpAllowList(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1']);
    expect(list.allows('10.200.3.4')).toBe(true);
    expect(list.allows('11.0.0.1')).toBe(false);
    expect(list.allows('192.168.1.7')).toBe(true);
    expect(list.allows('192.168.1.8')).toBe(false);
    expect(list.allows('fd12::1')).toBe(true);
    expect(list.allows('fe80::1')).toBe(false);
    expect(list.allows('::1')).toBe(true);
    expect(list.allows('::ffff:10.1.1.1')).toBe(true);
    expect(list.allows(undefined)).toBe(false);
    expect(list.allows('not an address')).toBe(false);
  });

  it.each(['10.0.0.0/33', 'fd00::/129', '10.0.0/8', 'localhost', '1.2.3.4/8/9', ''])('refuses %j with an error naming it', (entry) => {
    expect(() => new IpAllowList([entry])).toThrow(MonitorOptionsError);
    expect(() => new IpAllowList([entry])).toThrow(JSON.stringify(entry));
  });
});
