import type { Sql } from '../store/index.ts';
import { staffWrite } from './db.ts';
import { hashPassword, passwordProblem, type PasswordCost } from './password.ts';

export type Role = 'admin' | 'reviewer';
export const ROLES: Role[] = ['admin', 'reviewer'];
export const ROLE_LABEL: Record<Role, string> = { admin: 'Quản trị', reviewer: 'Cán bộ duyệt' };

export interface Staff {
  id: number;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
  lastLoginAt: number | null;
}

interface StaffRow {
  id: number;
  username: string;
  role: Role;
  password_hash: string;
  disabled: number;
  created_at: number;
  last_login_at: number | null;
}

export class StaffError extends Error {}

const toStaff = (r: StaffRow): Staff => ({
  id: r.id,
  username: r.username,
  role: r.role,
  disabled: !!r.disabled,
  createdAt: r.created_at,
  lastLoginAt: r.last_login_at,
});

/** User names are compared in lower case, so "NguyenVanA" and "nguyenvana" are one account. */
export function canonicalUsername(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}

export function usernameProblem(name: string): string | null {
  return /^[a-z0-9][a-z0-9._-]{2,31}$/.test(canonicalUsername(name))
    ? null
    : 'Tên đăng nhập gồm 3–32 ký tự: chữ không dấu, số, dấu chấm, gạch dưới hoặc gạch ngang.';
}

export async function findStaff(sql: Sql, username: string): Promise<(Staff & { passwordHash: string }) | null> {
  const row = await sql.get<StaffRow>('SELECT * FROM staff WHERE username = ?', [canonicalUsername(username)]);
  return row ? { ...toStaff(row), passwordHash: row.password_hash } : null;
}

export async function staffById(sql: Sql, id: number): Promise<Staff | null> {
  const row = await sql.get<StaffRow>('SELECT * FROM staff WHERE id = ?', [id]);
  return row ? toStaff(row) : null;
}

export async function listStaff(sql: Sql): Promise<Staff[]> {
  return (await sql.all<StaffRow>('SELECT * FROM staff ORDER BY username')).map(toStaff);
}

export async function addStaff(
  sql: Sql,
  username: string,
  password: string,
  role: Role,
  now = Date.now(),
  /** the production cost unless a test lowers it (TEST_COST) */
  cost?: PasswordCost,
): Promise<Staff> {
  const name = canonicalUsername(username);
  const problem = usernameProblem(name) ?? passwordProblem(password);
  if (problem) throw new StaffError(problem);
  if (!ROLES.includes(role)) throw new StaffError('Vai trò phải là admin hoặc reviewer.');
  const taken = () => new StaffError(`Tài khoản "${name}" đã tồn tại.`);
  if (await findStaff(sql, name)) throw taken();
  const hash = await hashPassword(password, cost);
  // another process may have taken the name while the password was hashed
  const row = await staffWrite(sql, (tx) =>
    tx.get<StaffRow>(
      `INSERT INTO staff (username, role, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (username) DO NOTHING RETURNING *`,
      [name, role, hash, now, now],
    ),
  );
  if (!row) throw taken();
  return toStaff(row);
}

/** A new password ends every open session of the account and lifts its sign-in lock. */
export async function setPassword(sql: Sql, username: string, password: string, now = Date.now()): Promise<Staff> {
  const staff = await findStaff(sql, username);
  if (!staff) throw new StaffError(`Không có tài khoản "${canonicalUsername(username)}".`);
  const problem = passwordProblem(password);
  if (problem) throw new StaffError(problem);
  const hash = await hashPassword(password);
  await staffWrite(sql, async (tx) => {
    await tx.run('UPDATE staff SET password_hash = ?, password_changed_at = ? WHERE id = ?', [hash, now, staff.id]);
    await tx.run('DELETE FROM staff_sessions WHERE staff_id = ?', [staff.id]);
    const prefix = `account:${staff.username}@`;
    await tx.run('DELETE FROM login_failures WHERE substr(key, 1, ?) = ?', [prefix.length, prefix]);
  });
  return (await staffById(sql, staff.id))!;
}

/** Disabling signs the account out everywhere at once. */
export async function setDisabled(sql: Sql, username: string, disabled: boolean): Promise<Staff> {
  const staff = await findStaff(sql, username);
  if (!staff) throw new StaffError(`Không có tài khoản "${canonicalUsername(username)}".`);
  await staffWrite(sql, async (tx) => {
    await tx.run('UPDATE staff SET disabled = ? WHERE id = ?', [disabled ? 1 : 0, staff.id]);
    if (disabled) await tx.run('DELETE FROM staff_sessions WHERE staff_id = ?', [staff.id]);
  });
  return (await staffById(sql, staff.id))!;
}
