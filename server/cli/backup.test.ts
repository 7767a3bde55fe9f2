import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../config.ts';
import { logQuestion, migrateQuestionLog } from '../log/index.ts';
import { postgresDatabase } from '../store/index.ts';
import { createPostgresDatabase, testBackends, testDatabase } from '../store/testing.ts';
import { startTestServer } from '../testing.ts';
import { DATABASE_FILE, backupDatabase, backupName } from './backup.ts';

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('npm run backup, and restoring from it', () => {
  it('copies the live database while the server answers, and the copy restores into a working server', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-backup-'));
    dirs.push(dataDir);
    const server = await startTestServer({ DATA_DIR: dataDir });
    let messageId: string;
    try {
      const asked = (await (await post(`${server.url}/api/chat`, { message: 'Đệm lót sinh học là gì?' })).json()) as { messageId: string };
      messageId = asked.messageId;
      expect((await post(`${server.url}/api/feedback`, { messageId, helpful: true, comment: 'rất dễ hiểu' })).status).toBe(204);

      // the command an operator runs, while the server is up
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'server/cli/backup.ts'], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir } });
      expect(stdout).toContain('Đã sao lưu');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }

    const backups = readdirSync(join(dataDir, 'backups'));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/^cnsh-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.sqlite$/);
    const copy = new Database(join(dataDir, 'backups', backups[0]!), { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT comment FROM feedback').pluck().all()).toEqual(['rất dễ hiểu']);
    copy.close();

    // restore as docs/trien-khai.md says: the copy becomes cnsh.sqlite of an empty DATA_DIR
    const restored = mkdtempSync(join(tmpdir(), 'cnsh-restore-'));
    dirs.push(restored);
    copyFileSync(join(dataDir, 'backups', backups[0]!), join(restored, DATABASE_FILE));
    const again = await startTestServer({ DATA_DIR: restored });
    try {
      expect(again.assistant.index.rebuilt).toBe(false);
      expect((await post(`${again.url}/api/feedback`, { messageId: messageId!, helpful: false })).status).toBe(204);
    } finally {
      await again.close();
    }
  });

  it('keeps only the newest copies and refuses a missing database', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-backup-keep-'));
    dirs.push(dataDir);
    const server = await startTestServer({ DATA_DIR: dataDir });
    await server.close();
    const days = [1, 2, 3, 4].map((d) => new Date(Date.UTC(2026, 2, d, 2)));
    for (const at of days) await backupDatabase(dataDir, { keep: 2, at });
    expect(readdirSync(join(dataDir, 'backups')).sort()).toEqual([backupName(days[2]), backupName(days[3])]);

    const empty = mkdtempSync(join(tmpdir(), 'cnsh-backup-none-'));
    dirs.push(empty);
    mkdirSync(join(empty, 'x'));
    await expect(backupDatabase(empty)).rejects.toThrow(/Không có cơ sở dữ liệu/);
  });
});

describe.runIf(testBackends().includes('postgres'))('npm run backup with DATABASE_URL: the state in PostgreSQL', () => {
  it('runs pg_dump into DATA_DIR/backups, says what it ran and how to restore, and the dump restores', async () => {
    const source = await testDatabase('postgres');
    const restored = await createPostgresDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-backup-pg-'));
    dirs.push(dataDir);
    try {
      await migrateQuestionLog(source.db);
      await logQuestion(source.db, {
        id: 'q-pg', conversationId: 'c-pg', text: 'Hầm biogas vận hành thế nào?', audience: 'citizen', site: null,
        answered: true, reason: null, confidence: 0.8, mode: 'extractive', cited: ['bien-phap-xu-ly#biogas'], answer: 'Nạp phân đều đặn.',
      });
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'server/cli/backup.ts'], {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: source.url! },
      });
      const [dump] = readdirSync(join(dataDir, 'backups'));
      expect(dump).toMatch(/^cnsh-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.dump$/);
      const file = join(dataDir, 'backups', dump!);
      expect(stdout).toContain(`Đã sao lưu cơ sở dữ liệu PostgreSQL (DATABASE_URL) bằng pg_dump: ${file}`);
      expect(stdout).toContain(`Lệnh đã chạy: pg_dump --format=custom --file="${file}" --dbname="$DATABASE_URL"`);
      expect(stdout).toContain(`Khôi phục: pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" "${file}"`);
      // the password never shows
      expect(stdout).not.toContain(source.url!);

      // restore as printed, into an empty database
      await run('pg_restore', ['--clean', '--if-exists', '--no-owner', `--dbname=${restored.url}`, file]);
      const copy = await postgresDatabase(restored.url, { max: 1 });
      try {
        expect(await copy.get('SELECT text, answer FROM questions WHERE id = ?', ['q-pg'])).toEqual({ text: 'Hầm biogas vận hành thế nào?', answer: 'Nạp phân đều đặn.' });
      } finally {
        await copy.close();
      }
    } finally {
      await source.drop();
      await restored.drop();
    }
  });

  it('says plainly that nothing was backed up, and prints the command, when pg_dump is not installed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-backup-nopg-'));
    dirs.push(dataDir);
    const failed = await run(process.execPath, ['--import', 'tsx', 'server/cli/backup.ts'], {
      cwd: ROOT,
      env: { ...process.env, PATH: '/nonexistent', DATA_DIR: dataDir, DATABASE_URL: 'postgres://cnsh:bi-mat@127.0.0.1:1/khong-co' },
    }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('Chưa sao lưu: không tìm thấy lệnh pg_dump');
    expect(failed?.stderr).toMatch(/pg_dump --format=custom --file=".*cnsh-.*\.dump" --dbname="\$DATABASE_URL"/);
    expect(failed?.stderr).not.toContain('bi-mat');
    expect(readdirSync(join(dataDir, 'backups'))).toEqual([]);
  });
});
