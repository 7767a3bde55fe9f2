import type { Server } from 'node:http';
import type { BlockList } from 'node:net';
import { isIP } from 'node:net';
import { rateKey } from './client.ts';

export interface ConnectionLimits {
  /** open connections one client (IPv4 address, IPv6 /64) may hold; a trusted proxy is not counted */
  perClient: number;
  /** the whole request head must arrive within this (slow-header connections), ms */
  headersTimeoutMs: number;
  /** the whole request, body included, ms (an answer streamed back is not bounded by it) */
  requestTimeoutMs: number;
  /** an idle keep-alive connection is closed after this, ms */
  keepAliveTimeoutMs: number;
}

export const CONNECTION_LIMITS: ConnectionLimits = { perClient: 128, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 };

/**
 * Timeouts for slow clients, and a cap on the connections one client may hold open (8,000 slow-header
 * connections from one address were all held in the review). Over the cap a new connection is closed at once.
 */
export function limitConnections(server: Server, proxies: BlockList, limits: ConnectionLimits = CONNECTION_LIMITS): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const raw = socket.remoteAddress ?? '';
    const address = raw.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    // behind nginx every connection comes from the proxy: the proxy's own limits apply there
    if (!isIP(address) || proxies.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')) return;
    const key = rateKey(address);
    const n = (open.get(key) ?? 0) + 1;
    if (n > limits.perClient) {
      socket.destroy();
      return;
    }
    open.set(key, n);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
  });
}
