import type { DB } from '../index/db.ts';
import { ensureReviewTables, staffWrite } from './db.ts';
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

export function findStaff(db: DB, username: string): (Staff & { passwordHash: string }) | null {
  ensureReviewTables(db);
  const row = db.prepare('SELECT * FROM staff WHERE username = ?').get(canonicalUsername(username)) as StaffRow | undefined;
  return row ? { ...toStaff(row), passwordHash: row.password_hash } : null;
}

export function staffById(db: DB, id: number): Staff | null {
  const row = db.prepare('SELECT * FROM staff WHERE id = ?').get(id) as StaffRow | undefined;
  return row ? toStaff(row) : null;
}

export function listStaff(db: DB): Staff[] {
  ensureReviewTables(db);
  return (db.prepare('SELECT * FROM staff ORDER BY username').all() as StaffRow[]).map(toStaff);
}

export async function addStaff(
  db: DB,
  username: string,
  password: string,
  role: Role,
  now = Date.now(),
  /** the production cost unless a test lowers it (TEST_COST) */
  cost?: PasswordCost,
): Promise<Staff> {
  ensureReviewTables(db);
  const name = canonicalUsername(username);
  const problem = usernameProblem(name) ?? passwordProblem(password);
  if (problem) throw new StaffError(problem);
  if (!ROLES.includes(role)) throw new StaffError('Vai trò phải là admin hoặc reviewer.');
  if (findStaff(db, name)) throw new StaffError(`Tài khoản "${name}" đã tồn tại.`);
  const hash = await hashPassword(password, cost);
  const { lastInsertRowid } = staffWrite(db, () =>
    db.prepare('INSERT INTO staff (username, role, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?)').run(name, role, hash, now, now),
  );
  return staffById(db, Number(lastInsertRowid))!;
}

/** A new password ends every open session of the account and lifts its sign-in lock. */
export async function setPassword(db: DB, username: string, password: string, now = Date.now()): Promise<Staff> {
  const staff = findStaff(db, username);
  if (!staff) throw new StaffError(`Không có tài khoản "${canonicalUsername(username)}".`);
  const problem = passwordProblem(password);
  if (problem) throw new StaffError(problem);
  const hash = await hashPassword(password);
  staffWrite(db, () => {
    db.prepare('UPDATE staff SET password_hash = ?, password_changed_at = ? WHERE id = ?').run(hash, now, staff.id);
    db.prepare('DELETE FROM staff_sessions WHERE staff_id = ?').run(staff.id);
    const prefix = `account:${staff.username}@`;
    db.prepare('DELETE FROM login_failures WHERE substr(key, 1, ?) = ?').run(prefix.length, prefix);
  });
  return staffById(db, staff.id)!;
}

/** Disabling signs the account out everywhere at once. */
export function setDisabled(db: DB, username: string, disabled: boolean): Staff {
  const staff = findStaff(db, username);
  if (!staff) throw new StaffError(`Không có tài khoản "${canonicalUsername(username)}".`);
  staffWrite(db, () => {
    db.prepare('UPDATE staff SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, staff.id);
    if (disabled) db.prepare('DELETE FROM staff_sessions WHERE staff_id = ?').run(staff.id);
  });
  return staffById(db, staff.id)!;
}
