import type { Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { clientAddress, networkKey, rateKey } from '../../http/guard/client.ts';
import { rateLimit } from '../../http/guard/rate-limit.ts';
import { audit } from '../db.ts';
import { loginPage, messagePage, passwordPage } from '../pages.ts';
import { dummyVerify, HashQueueFull, verifyPassword } from '../password.ts';
import { clearAccountFailures, createSession, deleteSession, newToken, reserveSignIn, sameToken } from '../session.ts';
import { canonicalUsername, findStaff, setPassword, StaffError } from '../staff.ts';
import { BAD_FORM, LOGIN_PATH, one, readForm, safeNext, type ConsoleDeps, type Env } from './http.ts';

/** Sign-in posts a client (IPv4 address, IPv6 /64) may send a minute (each costs a hash); its /56 gets four times that. */
export const SIGN_IN_POSTS_PER_MINUTE = 30;

/** Sign-in: the form and its check. Registered before the login gate, since nobody has a session yet. */
export function signInRoutes(admin: Hono<Env>, { assistant: { state }, proxies, cookies }: ConsoleDeps) {
  const { transport, cookieName, putCookie, dropCookie } = cookies;

  const httpsRequired = (c: Context) =>
    !transport(c).tls && !transport(c).local
      ? c.html(
          messagePage(
            'Cần kết nối an toàn',
            'Trang cán bộ chỉ mở qua HTTPS. Hãy dùng địa chỉ https://, hoặc (khi máy chủ đứng sau reverse proxy) đặt TRUST_PROXY để máy chủ nhận biết kết nối HTTPS.',
          ),
          403,
        )
      : null;

  const showLogin = (c: Context, status: 200 | 400 | 401 | 403 | 429 | 503, view: { error?: string | null; username?: string; next?: string; notice?: string | null }) => {
    const loginToken = newToken();
    putCookie(c, 'login', loginToken, 3600);
    return c.html(loginPage({ loginToken, next: view.next ?? '/admin/hang-cho', username: view.username, error: view.error, notice: view.notice }), status);
  };

  admin.get('/dang-nhap', (c) => {
    const refuse = httpsRequired(c);
    if (refuse) return refuse;
    const notice = c.req.query('tb') === 'da-dang-xuat' ? 'da-dang-xuat' : c.req.query('het-han') ? 'het-han' : null;
    return showLogin(c, 200, { next: safeNext(c.req.query('tiep')), notice });
  });

  const WRONG = 'Tên đăng nhập hoặc mật khẩu không đúng.';

  /** sign-in checks in flight per network: one network cannot fill the hash queue that everyone shares */
  const inFlight = new Map<string, number>();
  const MAX_IN_FLIGHT_PER_NETWORK = 2;

  /** sign-in posts per address and per network, before anything is read: 30 a minute per client, 120 per /56 */
  const postLimit = rateLimit({
    perMinute: SIGN_IN_POSTS_PER_MINUTE,
    proxies,
    onLimited: (c, wait) => {
      c.header('Retry-After', String(wait));
      return showLogin(c, 429, { error: `Bạn gửi quá nhiều lần đăng nhập. Vui lòng chờ khoảng ${wait} giây rồi thử lại.` });
    },
  });

  admin.post('/dang-nhap', postLimit, async (c) => {
    const refuse = httpsRequired(c);
    if (refuse) return refuse;
    const form = await readForm(c);
    if (!form) return showLogin(c, 400, { error: BAD_FORM });
    const username = canonicalUsername(one(form, 'username')).slice(0, 64);
    const password = one(form, 'password');
    const next = safeNext(one(form, 'tiep'));
    // the sign-in form carries its own token too, so another site cannot sign a browser in
    if (!sameToken(one(form, '_login'), getCookie(c, cookieName(c, 'login')) ?? '\0'))
      return showLogin(c, 403, { username, next, error: 'Trang đăng nhập đã quá hạn. Vui lòng nhập lại.' });

    const ip = clientAddress(c, proxies);
    const network = networkKey(ip, 48, 24);
    const keys = { account: username || '(trống)', address: rateKey(ip), network };
    const busy = () => {
      c.header('Retry-After', '5');
      return showLogin(c, 503, { username, next, error: 'Hệ thống đang bận kiểm tra đăng nhập. Vui lòng thử lại sau vài giây.' });
    };
    if ((inFlight.get(network) ?? 0) >= MAX_IN_FLIGHT_PER_NETWORK) return busy();
    // the attempt is written down before the hash: parallel guesses cannot all slip under the limit
    const reserved = await reserveSignIn(state, keys);
    if ('wait' in reserved) {
      const { wait } = reserved;
      await audit(state, { username: null, action: 'login:throttled', target: (await findStaff(state, username)) ? username : null, ip });
      c.header('Retry-After', String(wait));
      return showLogin(c, 429, {
        username,
        next,
        error:
          wait < 60
            ? `Đăng nhập sai nhiều lần. Vui lòng chờ ${wait} giây rồi thử lại.`
            : `Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau khoảng ${Math.ceil(wait / 60)} phút.`,
      });
    }
    const { reservation } = reserved;
    const staff = username ? await findStaff(state, username) : null;
    const usable = staff && !staff.disabled && password.length <= 256;
    inFlight.set(network, (inFlight.get(network) ?? 0) + 1);
    let ok: boolean;
    try {
      // unknown and disabled accounts take as long as real ones and get the same answer
      ok = usable ? await verifyPassword(password, staff.passwordHash) : await dummyVerify(password.slice(0, 256));
    } catch (e) {
      if (!(e instanceof HashQueueFull)) throw e;
      await reservation.release();
      return busy();
    } finally {
      const n = (inFlight.get(network) ?? 1) - 1;
      if (n > 0) inFlight.set(network, n);
      else inFlight.delete(network);
    }
    if (!ok || !staff) {
      await audit(state, { username: null, action: 'login:fail', target: staff ? staff.username : null, ip });
      return showLogin(c, 401, { username, next, error: WRONG });
    }
    await reservation.release();
    await clearAccountFailures(state, keys.account);
    await deleteSession(state, getCookie(c, cookieName(c, 'staff')));
    const { token } = await createSession(state, staff.id);
    putCookie(c, 'staff', token);
    dropCookie(c, 'login');
    await audit(state, { username: staff.username, action: 'login', ip });
    return c.redirect(next, 303);
  });
}

/** Sign-out: behind the login gate, so only a signed-in browser with its CSRF token can end its session. */
export function signOutRoutes(admin: Hono<Env>, { assistant: { state }, cookies: { cookieName, dropCookie } }: ConsoleDeps) {
  admin.post('/dang-xuat', async (c) => {
    const s = c.get('session');
    await deleteSession(state, getCookie(c, cookieName(c, 'staff')));
    dropCookie(c, 'staff');
    await audit(state, { username: s.staff.username, action: 'logout' });
    return c.redirect(`${LOGIN_PATH}?tb=da-dang-xuat`, 303);
  });
}

/** A staff member changes their own password; failures count against sign-in throttling like a wrong sign-in. */
export function passwordRoutes(admin: Hono<Env>, { assistant: { state }, proxies, cookies: { putCookie } }: ConsoleDeps) {
  admin.get('/mat-khau', (c) => c.html(passwordPage(c.get('session'), [])));

  admin.post('/mat-khau', async (c) => {
    const s = c.get('session');
    const form = await readForm(c);
    if (!form) return c.html(passwordPage(s, [BAD_FORM]), 400);
    const ip = clientAddress(c, proxies);
    const keys = { account: s.staff.username, address: rateKey(ip), network: networkKey(ip, 48, 24) };
    // reserved before the hash, like a sign-in: parallel guesses of the current password see each other
    const reserved = await reserveSignIn(state, keys);
    if ('wait' in reserved) {
      c.header('Retry-After', String(reserved.wait));
      return c.html(passwordPage(s, [`Nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau khoảng ${Math.max(1, Math.ceil(reserved.wait / 60))} phút.`]), 429);
    }
    const staff = (await findStaff(state, s.staff.username))!;
    let right: boolean;
    try {
      right = await verifyPassword(one(form, 'cu'), staff.passwordHash);
    } catch (e) {
      if (!(e instanceof HashQueueFull)) throw e;
      await reserved.reservation.release();
      c.header('Retry-After', '5');
      return c.html(passwordPage(s, ['Hệ thống đang bận. Vui lòng thử lại sau vài giây.']), 503);
    }
    if (!right) return c.html(passwordPage(s, ['Mật khẩu hiện tại không đúng.']), 422);
    await reserved.reservation.release();
    if (one(form, 'moi') !== one(form, 'nhac-lai')) return c.html(passwordPage(s, ['Hai lần nhập mật khẩu mới không giống nhau.']), 422);
    try {
      await setPassword(state, staff.username, one(form, 'moi'));
    } catch (e) {
      if (e instanceof StaffError) return c.html(passwordPage(s, [e.message]), 422);
      throw e;
    }
    // every session ended with the old password; this browser gets a fresh one
    const { token } = await createSession(state, staff.id);
    putCookie(c, 'staff', token);
    await audit(state, { username: staff.username, action: 'password:change' });
    return c.redirect('/admin/hang-cho?tb=da-doi-mat-khau', 303);
  });
}
