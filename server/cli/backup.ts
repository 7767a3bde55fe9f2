import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';

export const DATABASE_FILE = 'cnsh.sqlite';

/** "cnsh-2026-03-01T02-00-00Z.sqlite": sorts by time, and is a valid file name everywhere. */
export function backupName(at = new Date()): string {
  return `cnsh-${at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.sqlite`;
}

export interface BackupResult {
  file: string;
  bytes: number;
  removed: string[];
}

/**
 * An online copy of the database while the server keeps running (SQLite's backup API copies a consistent
 * snapshot page by page), checked with integrity_check; only the newest `keep` copies are kept.
 */
export async function backupDatabase(dataDir: string, { keep = 14, at = new Date() } = {}): Promise<BackupResult> {
  const source = join(dataDir, DATABASE_FILE);
  if (!existsSync(source)) throw new Error(`Không có cơ sở dữ liệu ở ${source}`);
  const dir = join(dataDir, 'backups');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, backupName(at));

  const db = new Database(source, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  try {
    await db.backup(file);
  } finally {
    db.close();
  }
  const copy = new Database(file);
  let bytes: number;
  try {
    // one self-contained file: no -wal or -shm beside the copy; the server turns WAL back on when it opens it
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new Error(`Bản sao lỗi: integrity_check = ${String(check)}`);
    bytes = (copy.pragma('page_count', { simple: true }) as number) * (copy.pragma('page_size', { simple: true }) as number);
  } finally {
    copy.close();
  }

  const backups = readdirSync(dir)
    .filter((f) => /^cnsh-.*\.sqlite$/.test(f))
    .sort();
  const removed = keep > 0 ? backups.slice(0, Math.max(0, backups.length - keep)) : [];
  for (const f of removed) for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, f + suffix), { force: true });
  return { file, bytes, removed };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `npm run backup [-- --keep 30]`: DATA_DIR as for the server
  const args = process.argv.slice(2);
  const keepAt = args.indexOf('--keep');
  const keep = keepAt >= 0 ? Number(args[keepAt + 1]) : 14;
  const { dataDir } = loadConfig();
  try {
    const { file, bytes, removed } = await backupDatabase(dataDir, { keep: Number.isFinite(keep) ? keep : 14 });
    console.log(`Đã sao lưu: ${file} (${(bytes / 1024 / 1024).toFixed(1)} MB, integrity_check ok)`);
    if (removed.length) console.log(`Đã xoá ${removed.length} bản sao cũ (giữ ${keep} bản mới nhất).`);
  } catch (e) {
    console.error(`Sao lưu thất bại: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
