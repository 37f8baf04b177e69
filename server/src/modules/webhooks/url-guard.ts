import dns from 'node:dns';
import net from 'node:net';
import { fail } from '../../platform/errors.ts';

// Webhook URLs must not reach into our own network (SSRF): loopback, private, link-local, CGNAT, multicast
// and reserved addresses are refused unless QUANYI_ALLOW_PRIVATE_WEBHOOKS=true. The check runs at
// registration AND on every delivery against the addresses the connection actually uses (pinned lookup),
// so a name that later resolves to 127.0.0.1 (DNS rebinding) is refused too.
const blocked = new net.BlockList();
for (const [net4, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net4, prefix, 'ipv4');
for (const [net6, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['2001:db8::', 32], ['100::', 64],
] as const) blocked.addSubnet(net6, prefix, 'ipv6');

/** Whether an IP address is one a webhook may not reach (IPv4-mapped and NAT64 IPv6 are judged by their IPv4). */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse
  const embedded = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (embedded) return blocked.check(embedded[1], 'ipv4');
  const hexMapped = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hexMapped) {
    const hi = parseInt(hexMapped[1], 16), lo = parseInt(hexMapped[2], 16);
    return blocked.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
  }
  return blocked.check(address, 'ipv6');
}

/** The host part as an address or a name (URL keeps IPv6 literals in brackets). */
export const hostOf = (u: URL) => u.hostname.replace(/^\[(.*)\]$/, '$1');

/** Parses a webhook URL: absolute http(s), no credentials, at most 2048 characters. Throws webhook_url_invalid. */
export function parseWebhookUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw fail('webhook_url_invalid', 'The webhook URL must be an absolute http:// or https:// URL.');
  }
  if (raw.length > 2048) throw fail('webhook_url_invalid', 'The webhook URL is longer than 2048 characters.');
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw fail('webhook_url_invalid', 'The webhook URL must use http or https.');
  if (u.username || u.password) throw fail('webhook_url_invalid', 'The webhook URL must not carry credentials; verify the Quanyi-Signature header instead.');
  if (u.hash) throw fail('webhook_url_invalid', 'The webhook URL must not have a #fragment.');
  return u;
}

/** Resolves the host (DNS) and refuses it when any address is private. Used at registration. */
export async function assertDeliverableUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  const u = parseWebhookUrl(raw);
  const host = hostOf(u);
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw fail('webhook_url_invalid', `The host ${host} of the webhook URL does not resolve.`);
    }
  }
  if (!allowPrivate && (addresses.length === 0 || addresses.some(isPrivateAddress))) {
    throw fail('webhook_url_private', `The webhook URL's host ${host} is a loopback, private or link-local address; webhooks go only to public addresses.`);
  }
  return u;
}

export class PrivateAddressError extends Error {
  constructor(readonly host: string, readonly address: string) {
    super(`refused: ${host} resolves to the non-public address ${address}`);
    this.name = 'PrivateAddressError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that resolves, checks and hands over the very addresses the socket will
 * connect to: no second resolution between the check and the connection.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    dns.lookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as dns.LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad || list.length === 0) return callback(new PrivateAddressError(hostname, bad?.address ?? 'none') as NodeJS.ErrnoException, '');
      if (options.all) callback(null, list);
      else callback(null, list[0].address, list[0].family);
    });
  };
}
