import { BlockList, isIP } from 'node:net';
import { MonitorOptionsError } from '../errors.js';

/** The client addresses let in: single addresses and CIDR ranges, IPv4 and IPv6 (`node:net` BlockList). */
export class IpAllowList {
  readonly #list = new BlockList();

  constructor(entries: readonly string[]) {
    for (const [index, entry] of entries.entries()) {
      const [address, prefix, ...rest] = typeof entry === 'string' ? entry.trim().split('/') : [];
      const family = address === undefined ? 0 : isIP(address);
      const bits = prefix === undefined ? undefined : Number(prefix);
      const maxBits = family === 6 ? 128 : 32;
      if (family === 0 || rest.length > 0 || (bits !== undefined && (!Number.isInteger(bits) || bits < 0 || bits > maxBits))) {
        throw new MonitorOptionsError(
          `Monitor option allowIps[${index}] must be an IPv4/IPv6 address or CIDR range like '10.0.0.0/8' or 'fd00::/8'; received ${JSON.stringify(entry)}.`,
        );
      }
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.#list.addAddress(address as string, type);
      else this.#list.addSubnet(address as string, bits, type);
    }
  }

  /** True when the address is in the list. An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) counts as its IPv4 address. */
  allows(address: string | undefined): boolean {
    if (address === undefined) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const plain = mapped ?? address;
    const family = isIP(plain);
    if (family === 0) return false;
    return this.#list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }
}
