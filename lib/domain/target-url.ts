import { isIP } from 'node:net';

/**
 * Where event deliveries may go (docs/events.md, "Security"). `public` (the default, deployed):
 * https only, to addresses on the public internet; `loopback` (npm start): http or https to this
 * machine only. The URL is checked when a subscription is created (scheme, literal addresses,
 * names that are loopback by definition) and every address a name resolves to is checked again on
 * the delivery's own connection (lib/events/sender.ts), so a name that later resolves elsewhere
 * (DNS rebinding) cannot reach what the first check refused.
 */
export type EventTargets = 'public' | 'loopback';

/** IPv4 ranges that are not the public internet: [first octets as a number, prefix length]. */
const IPV4_BLOCKED: [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT shared space
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata endpoints)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

function ipv4Number(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function inIpv4Block(address: string, [base, prefix]: [string, number]): boolean {
  const size = 2 ** (32 - prefix);
  return Math.floor(ipv4Number(address) / size) === Math.floor(ipv4Number(base) / size);
}

/** The 8 groups of an IPv6 address as numbers (an embedded dotted IPv4 tail included). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = ipv4Number(dotted[1]!);
    text = `${text.slice(0, -dotted[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
}

/** The IPv4 address an IPv6 address carries (IPv4-mapped, -compatible, NAT64, 6to4), if any. */
function embeddedIpv4(groups: number[]): string | undefined {
  const v4 = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zeros(0, 5) && (groups[5] === 0xffff || groups[5] === 0)) return v4(groups[6]!, groups[7]!); // ::ffff:a.b.c.d, ::a.b.c.d
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4(groups[6]!, groups[7]!); // 64:ff9b::/96
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!); // 6to4
  return undefined;
}

export type AddressKind = 'public' | 'loopback' | 'private';

/** What an IP address is: loopback, otherwise private (any range that is not the public internet), otherwise public. */
export function addressKind(address: string): AddressKind {
  const family = isIP(address.split('%')[0]!);
  if (family === 4) {
    if (inIpv4Block(address, ['127.0.0.0', 8])) return 'loopback';
    return IPV4_BLOCKED.some((block) => inIpv4Block(address, block)) ? 'private' : 'public';
  }
  if (family !== 6) return 'private';
  const groups = ipv6Groups(address);
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return 'loopback'; // ::1
  if (groups.every((g) => g === 0)) return 'private'; // :: unspecified
  const v4 = embeddedIpv4(groups);
  if (v4 !== undefined) return addressKind(v4);
  const first = groups[0]!;
  if ((first & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80 || (first & 0xffc0) === 0xfec0) return 'private'; // link-local, site-local
  if ((first & 0xff00) === 0xff00) return 'private'; // multicast
  if (first === 0x2001 && groups[1]! < 0x200) return 'private'; // 2001::/23 special purpose (Teredo, ORCHID, ...)
  if (first === 0x2001 && groups[1] === 0xdb8) return 'private'; // documentation
  if (first === 0x100 && groups.slice(1, 4).every((g) => g === 0)) return 'private'; // discard-only
  return 'public';
}

/** Whether a resolved address may be connected to under these settings. */
export function addressAllowed(address: string, targets: EventTargets): boolean {
  const kind = addressKind(address);
  return targets === 'loopback' ? kind === 'loopback' : kind === 'public';
}

/** Why a subscription URL is refused under these settings, or undefined when it is acceptable. */
export function targetProblem(url: string, targets: EventTargets): string | undefined {
  if (!URL.canParse(url)) return 'must be an absolute URL';
  const parsed = new URL(url);
  if (parsed.username || parsed.password) return 'must not carry credentials';
  if (parsed.hash) return 'must not have a fragment';
  const allowed = targets === 'loopback' ? ['http:', 'https:'] : ['https:'];
  if (!allowed.includes(parsed.protocol)) return targets === 'loopback' ? 'must be an http or https URL' : 'must be an https URL';
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const literal = isIP(host) !== 0;
  if (literal) {
    if (!addressAllowed(host, targets))
      return targets === 'loopback' ? 'must be on loopback (127.0.0.1, ::1 or localhost)' : 'must not be a private, loopback or link-local address';
    return undefined;
  }
  const loopbackName = host === 'localhost' || host.endsWith('.localhost');
  if (targets === 'loopback') return loopbackName ? undefined : 'must be on loopback (127.0.0.1, ::1 or localhost)';
  if (loopbackName) return 'must not be a private, loopback or link-local address';
  if (!host.includes('.') || host.endsWith('.local') || host.endsWith('.internal')) return 'must be a public host name';
  return undefined;
}
