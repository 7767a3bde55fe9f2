import type { MiddlewareHandler } from 'hono';
import type { BlockList } from 'node:net';
import { cameOverTls } from './client.ts';
import { canonicalOrigin } from './origins.ts';

export interface SecureHeadersOptions {
  /** the sites that embed us may also frame our pages (source pages in a portal iframe) */
  allowedOrigins: string[];
  proxies: BlockList;
}

/** A year, the usual HSTS lifetime; no includeSubDomains: sibling sites of the portal are not ours to decide. */
const HSTS = 'max-age=31536000';

/**
 * The policy for HTML that did not set its own: only what we serve (no inline script or style), no plugins,
 * no <base> tricks, framed only by the embedding sites. The same as the pages' own policy (pages/layout.ts).
 */
export function contentSecurityPolicy(allowedOrigins: string[]): string {
  const framers = allowedOrigins.map(canonicalOrigin).filter((o): o is string => o !== null);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${["'self'", ...framers].join(' ')}`,
  ].join('; ');
}

/**
 * Headers every response gets (`nosniff`, a referrer policy, HSTS when the request came over TLS) and the ones
 * HTML pages get (CSP with frame-ancestors). A route that sets its own CSP (the staff console) keeps it.
 */
export function secureHeaders({ allowedOrigins, proxies }: SecureHeadersOptions): MiddlewareHandler {
  const csp = contentSecurityPolicy(allowedOrigins);
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set('X-Content-Type-Options', 'nosniff');
    if (!headers.has('Referrer-Policy')) headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
    if (cameOverTls(c, proxies)) headers.set('Strict-Transport-Security', HSTS);
    if ((headers.get('content-type') ?? '').startsWith('text/html')) {
      if (!headers.has('Content-Security-Policy')) headers.set('Content-Security-Policy', csp);
      if (!headers.has('Cross-Origin-Opener-Policy')) headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    }
  };
}
