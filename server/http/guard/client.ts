import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { BlockList, isIP } from 'node:net';
import { requestHeader } from '../request.ts';

/** "::ffff:127.0.0.1" and "127.0.0.1" are the same client. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** The reverse proxies whose X-Forwarded-For we believe: exact addresses or CIDR ranges ("10.0.0.0/8"). */
export function trustedProxies(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/');
    const type = isIP(address ?? '') === 6 ? 'ipv6' : isIP(address ?? '') === 4 ? 'ipv4' : null;
    if (!type) continue;
    if (bits === undefined) list.addAddress(address!, type);
    else list.addSubnet(address!, Number(bits), type);
  }
  return list;
}

/** Answers of `isTrusted` per list: a BlockList check builds address objects, and every request asks it. */
const verdicts = new WeakMap<BlockList, Map<string, boolean>>();
const MAX_VERDICTS = 10_000;

function isTrusted(proxies: BlockList, address: string): boolean {
  let known = verdicts.get(proxies);
  if (!known) verdicts.set(proxies, (known = new Map()));
  let trusted = known.get(address);
  if (trusted === undefined) {
    const type = isIP(address);
    trusted = type !== 0 && proxies.check(address, type === 6 ? 'ipv6' : 'ipv4');
    if (known.size >= MAX_VERDICTS) known.clear();
    known.set(address, trusted);
  }
  return trusted;
}

function socketAddress(c: Context): string | null {
  try {
    const address = getConnInfo(c).remote.address;
    return address ? plainAddress(address) : null;
  } catch {
    return null; // a request that did not come through a socket (app.request in a script)
  }
}

/**
 * Who is asking: the socket's address, or — only when the socket is one of our trusted proxies — the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy (entries to its left are client-written).
 */
export function clientAddress(c: Context, proxies: BlockList): string {
  const socket = socketAddress(c) ?? 'không-rõ';
  if (!isTrusted(proxies, socket)) return socket;
  const forwarded = (requestHeader(c, 'x-forwarded-for') ?? '')
    .split(',')
    .map((s) => plainAddress(s.trim()))
    .filter(Boolean);
  let client = socket;
  for (let i = forwarded.length - 1; i >= 0; i--) {
    const hop = forwarded[i]!;
    if (!isIP(hop)) break;
    client = hop;
    if (!isTrusted(proxies, hop)) break;
  }
  return client;
}

/** Did the request reach us over TLS: a TLS socket, or X-Forwarded-Proto from a trusted proxy. */
export function cameOverTls(c: Context, proxies: BlockList): boolean {
  const env = c.env as { incoming?: { socket?: { encrypted?: boolean } } } | undefined;
  if (env?.incoming?.socket?.encrypted) return true;
  const socket = socketAddress(c);
  if (!socket || !isTrusted(proxies, socket)) return false;
  return (requestHeader(c, 'x-forwarded-proto') ?? '').split(',')[0]!.trim().toLowerCase() === 'https';
}

/** The eight 16-bit groups of an IPv6 address, "::" expanded. */
function ipv6Groups(address: string): number[] {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups.slice(0, 8).map((g) => parseInt(g, 16) || 0);
}

/**
 * The network an address belongs to, as a key: the first `v6Bits` of an IPv6 address, the first `v4Bits` of
 * an IPv4 one ("2001:db8:0:100::/56", "203.0.113.0/24").
 */
export function networkKey(address: string, v6Bits: number, v4Bits = 32): string {
  if (isIP(address) === 4) {
    if (v4Bits >= 32) return address;
    const n = address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
    const masked = v4Bits <= 0 ? 0 : n - (n % 2 ** (32 - v4Bits));
    return `${[24, 16, 8, 0].map((s) => Math.floor(masked / 2 ** s) % 256).join('.')}/${v4Bits}`;
  }
  if (isIP(address) !== 6) return address;
  const groups = ipv6Groups(address);
  const kept: string[] = [];
  for (let i = 0; i * 16 < v6Bits; i++) {
    const bits = Math.min(16, v6Bits - i * 16);
    kept.push(((groups[i]! >> (16 - bits)) << (16 - bits)).toString(16));
  }
  return `${kept.join(':')}::/${v6Bits}`;
}

/** One rate-limit bucket per IPv4 address, and per /64 for IPv6 (what one household or phone gets). */
export function rateKey(address: string): string {
  return networkKey(address, 64);
}

/**
 * The wider network of a client, which shares one more bucket: an IPv6 /56 (a common home allocation holds
 * 256 /64s). An IPv4 address stays itself: neighbours in a /24 are often strangers behind a carrier's NAT.
 */
export function aggregateKey(address: string): string {
  return networkKey(address, 56);
}
