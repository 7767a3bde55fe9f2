import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../config.ts';
import { startTestServer, type TestServer } from '../testing.ts';
import { staffClient } from './testing.ts';

/** `npm run staff -- …` against the same DATA_DIR a running server uses. */
const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-staff-'));
let server: TestServer;

/** Runs the CLI without blocking this process: the server under test lives in it and must keep answering. */
function staffCli(args: string[], password?: string): Promise<{ code: number; out: string; err: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.STAFF_PASSWORD;
  if (password !== undefined) env.STAFF_PASSWORD = password;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'server/cli/staff.ts', ...args], { cwd: ROOT, env, encoding: 'utf8' }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
    child.stdin?.end();
  });
}

beforeAll(async () => {
  server = await startTestServer({ DATA_DIR: dataDir });
});
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run staff', () => {
  it('starts with no account at all', async () => {
    const r = await staffCli(['list']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Chưa có tài khoản nào');
  });

  it('adds an account from STAFF_PASSWORD that can sign in; the password is stored only as a scrypt hash', async () => {
    const r = await staffCli(['add', 'Nguyen.Van.A', '--role', 'admin'], 'một câu mật khẩu đủ dài');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Đã tạo tài khoản "nguyen.van.a" (Quản trị)');
    const row = (await server.assistant.state.get<{ password_hash: string }>('SELECT password_hash FROM staff WHERE username = ?', ['nguyen.van.a']))!;
    expect(row.password_hash).toMatch(/^scrypt\$17\$8\$1\$/);
    expect(row.password_hash).not.toContain('mật khẩu');
    expect((await staffClient(server.url).login('nguyen.van.a', 'một câu mật khẩu đủ dài')).status).toBe(303);
    // the same password typed with decomposed Vietnamese characters still works
    expect((await staffClient(server.url).login('nguyen.van.a', 'một câu mật khẩu đủ dài'.normalize('NFD'))).status).toBe(303);
    expect((await staffCli(['list'])).out).toMatch(/nguyen\.van\.a\s+Quản trị\s+đang dùng/);
  });

  it('refuses a short password, a duplicate name, and a missing password without a terminal', async () => {
    const short = await staffCli(['add', 'ngan'], 'ngan-qua');
    expect(short.code).toBe(1);
    expect(short.err).toContain('ít nhất 12 ký tự');
    const twice = await staffCli(['add', 'nguyen.van.a'], 'một câu mật khẩu khác');
    expect(twice.code).toBe(1);
    expect(twice.err).toContain('đã tồn tại');
    const noPassword = await staffCli(['add', 'khong-mat-khau']);
    expect(noPassword.code).toBe(1);
    expect(noPassword.err).toContain('STAFF_PASSWORD');
    expect((await staffCli(['list'])).out).not.toContain('khong-mat-khau');
  });

  it('disable and reset end open sessions', async () => {
    await staffCli(['add', 'tran.thi.b'], 'mật khẩu đầu tiên của chị B');
    const browser = staffClient(server.url);
    expect((await browser.login('tran.thi.b', 'mật khẩu đầu tiên của chị B')).status).toBe(303);

    expect((await staffCli(['reset', 'tran.thi.b'], 'mật khẩu thứ hai của chị B')).code).toBe(0);
    expect((await browser.get('/admin/hang-cho')).status).toBe(302);
    expect((await staffClient(server.url).login('tran.thi.b', 'mật khẩu đầu tiên của chị B')).status).toBe(401);
    expect((await browser.login('tran.thi.b', 'mật khẩu thứ hai của chị B')).status).toBe(303);

    expect((await staffCli(['disable', 'tran.thi.b'])).code).toBe(0);
    expect((await browser.get('/admin/hang-cho')).status).toBe(302);
    expect((await staffClient(server.url).login('tran.thi.b', 'mật khẩu thứ hai của chị B')).status).toBe(401);
    expect((await staffCli(['list'])).out).toMatch(/tran\.thi\.b\s+Cán bộ duyệt\s+đã khóa/);

    const audit = await server.assistant.state.all<{ action: string }>("SELECT action FROM audit_log WHERE target = 'tran.thi.b' ORDER BY id");
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['staff:add', 'staff:reset', 'staff:disable']));
  });

  it('prints how to use it for an unknown command', async () => {
    const r = await staffCli(['xoa', 'ai-do']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('npm run staff -- add');
  });
});
