import type { Hono, MiddlewareHandler } from 'hono';
import { audit, auditLog } from '../db.ts';
import { auditPage, messagePage, staffPage } from '../pages.ts';
import { canonicalUsername, listStaff, setDisabled, StaffError } from '../staff.ts';
import { isApi, jsonError, type ConsoleDeps, type Env } from './http.ts';

/** Staff accounts and the audit log: for admins only. */
export function staffRoutes(admin: Hono<Env>, { assistant: { state } }: ConsoleDeps) {
  const adminOnly: MiddlewareHandler<Env> = async (c, next) =>
    c.get('session').staff.role === 'admin'
      ? next()
      : isApi(c)
        ? jsonError(c, 403, 'forbidden', 'Chức năng này dành cho quản trị viên.')
        : c.html(messagePage('Không có quyền', 'Chức năng này dành cho quản trị viên.', c.get('session')), 403);

  admin.get('/can-bo', adminOnly, async (c) => c.html(staffPage(c.get('session'), await listStaff(state), c.req.query('tb'))));

  admin.post('/can-bo/:username/:action{khoa|mo-khoa}', adminOnly, async (c) => {
    const me = c.get('session').staff;
    const username = c.req.param('username');
    const disable = c.req.param('action') === 'khoa';
    if (canonicalUsername(username) === me.username)
      return c.html(messagePage('Không thực hiện được', 'Bạn không thể tự khóa tài khoản của mình.', c.get('session')), 400);
    try {
      await setDisabled(state, username, disable);
    } catch (e) {
      if (e instanceof StaffError) return c.html(messagePage('Không tìm thấy', e.message, c.get('session')), 404);
      throw e;
    }
    await audit(state, { username: me.username, action: disable ? 'staff:disable' : 'staff:enable', target: canonicalUsername(username) });
    return c.redirect(`/admin/can-bo?tb=${disable ? 'da-khoa' : 'da-mo-khoa'}`, 303);
  });

  admin.get('/nhat-ky', adminOnly, async (c) => {
    const before = Number(c.req.query('truoc'));
    const rows = await auditLog(state, { limit: 200, ...(Number.isInteger(before) && before > 0 ? { before } : {}) });
    return c.html(auditPage(c.get('session'), rows, rows.length === 200 ? rows.at(-1)!.id : null));
  });
}
