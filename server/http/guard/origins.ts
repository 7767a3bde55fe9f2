import type { Context, MiddlewareHandler } from 'hono';
import { fail } from '../errors.ts';
import { requestHeader } from '../request.ts';

/** "https://cong.sonla.gov.vn/" and "HTTPS://Cong.SonLa.gov.vn" name the same origin. */
export function canonicalOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A page we served ourselves (the demo page, the staff console) calling our own API. The configured public
 * origin decides, never the Host header (a rebinding site sends its own); without one, only a loopback name
 * matching Host counts (development on this machine).
 */
function isSameOrigin(c: Context, origin: string, publicOrigin: string | null): boolean {
  if (publicOrigin) return origin === publicOrigin;
  const host = requestHeader(c, 'host')?.toLowerCase();
  const url = new URL(origin);
  return !!host && url.host === host && LOOPBACK_NAMES.has(url.hostname);
}

export interface ApiOriginsOptions {
  allowedOrigins: string[];
  /** PUBLIC_BASE_URL's origin: our own pages calling the API */
  publicOrigin?: string | null;
  /** how long a browser may cache a preflight, seconds */
  maxAge?: number;
}

/**
 * CORS for the public API, exact-origin only: a site listed in ALLOWED_ORIGINS gets its own origin back
 * (never `*`), and `Vary: Origin` keeps caches from mixing answers. A browser request from any other site is
 * refused with 403 so an unlisted site cannot embed the assistant; requests without Origin (curl, the same
 * page) pass.
 */
export function apiOrigins({ allowedOrigins, publicOrigin = null, maxAge = 600 }: ApiOriginsOptions): MiddlewareHandler {
  const allowed = new Set(allowedOrigins.map(canonicalOrigin).filter((o): o is string => o !== null));
  return async (c, next) => {
    const header = requestHeader(c, 'origin');
    const preflight = c.req.method === 'OPTIONS' && !!requestHeader(c, 'access-control-request-method');
    if (!header) {
      await next();
      c.res.headers.append('Vary', 'Origin');
      return;
    }
    const origin = canonicalOrigin(header);
    const sameOrigin = origin !== null && isSameOrigin(c, origin, publicOrigin);
    if (!origin || (!allowed.has(origin) && !sameOrigin)) {
      const res = fail(c, 'forbidden_origin');
      res.headers.append('Vary', 'Origin');
      return res;
    }
    const cors: Record<string, string> = {
      'Access-Control-Allow-Origin': origin,
      // the widget reads how long to wait after a 429
      'Access-Control-Expose-Headers': 'Retry-After',
    };
    if (preflight) {
      return c.body(null, 204, {
        ...cors,
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, Accept, Last-Event-ID',
        'Access-Control-Max-Age': String(maxAge),
        Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      });
    }
    await next();
    for (const [name, value] of Object.entries(cors)) c.res.headers.set(name, value);
    c.res.headers.append('Vary', 'Origin');
  };
}
