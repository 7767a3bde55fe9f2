import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { BlockList } from 'node:net';
import { cameOverTls } from '../../http/guard/client.ts';
import { requestHeader } from '../../http/request.ts';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export type StaffCookies = ReturnType<typeof staffCookies>;

/** The console's two cookies: the session (`staff`) and the sign-in form's token (`login`). */
export function staffCookies(proxies: BlockList) {
  /**
   * Secure cookies everywhere, except plain HTTP to this machine (development, tests): the Host header names
   * this machine. The request line is not read (an absolute-form
   * "GET http://localhost/…" says nothing about where the browser is).
   */
  const transport = (c: Context) => {
    const host = (requestHeader(c, 'host') ?? '').toLowerCase().replace(/:\d+$/, '');
    const tls = cameOverTls(c, proxies);
    return { tls, local: !tls && LOCAL_HOSTS.has(host) };
  };
  const cookieName = (c: Context, base: 'staff' | 'login') => (transport(c).local ? `cnsh_${base}` : `__Host-cnsh_${base}`);
  const putCookie = (c: Context, base: 'staff' | 'login', value: string, maxAge?: number) =>
    setCookie(c, cookieName(c, base), value, {
      httpOnly: true,
      secure: !transport(c).local,
      sameSite: 'Strict',
      path: '/',
      ...(maxAge ? { maxAge } : {}),
    });
  const dropCookie = (c: Context, base: 'staff' | 'login') =>
    deleteCookie(c, cookieName(c, base), { path: '/', secure: !transport(c).local, httpOnly: true, sameSite: 'Strict' });
  return { transport, cookieName, putCookie, dropCookie };
}
