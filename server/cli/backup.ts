import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
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

/** Only the newest `keep` files of `dir` whose names match `pattern` stay (their names sort by time). */
function rotate(dir: string, pattern: RegExp, keep: number, suffixes = ['']): string[] {
  const backups = readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort();
  const removed = keep > 0 ? backups.slice(0, Math.max(0, backups.length - keep)) : [];
  for (const f of removed) for (const suffix of suffixes) rmSync(join(dir, f + suffix), { force: true });
  return removed;
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

  const removed = rotate(dir, /^cnsh-.*\.sqlite$/, keep, ['', '-wal', '-shm']);
  return { file, bytes, removed };
}

/** The command that dumps the state from PostgreSQL, as an operator can paste it (the URL stays in the variable). */
export function pgDumpCommand(file: string): string {
  return `pg_dump --format=custom --file="${file}" --dbname="$DATABASE_URL"`;
}

/** The command that puts a dump back, into an empty database or over the existing tables. */
export function pgRestoreCommand(file: string): string {
  return `pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" "${file}"`;
}

/** pg_dump is not installed on this machine: nothing was backed up, and the command to run elsewhere is known. */
export class PgDumpMissing extends Error {
  constructor(readonly command: string) {
    super('Không tìm thấy lệnh pg_dump trên máy này');
  }
}

/**
 * The state in PostgreSQL (DATABASE_URL) as one pg_dump file in DATA_DIR/backups: custom format (compressed, restored
 * with pg_restore), a consistent snapshot while the replicas keep running. The password goes to pg_dump in its
 * environment, never on its command line. Only the newest `keep` dumps are kept.
 */
export async function backupPostgres(
  databaseUrl: string,
  dataDir: string,
  { keep = 14, at = new Date(), pgDump = 'pg_dump' }: { keep?: number; at?: Date; pgDump?: string } = {},
): Promise<BackupResult> {
  const dir = join(dataDir, 'backups');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, backupName(at).replace(/\.sqlite$/, '.dump'));
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  const env = { ...process.env, ...(password ? { PGPASSWORD: password } : {}) };
  const partial = `${file}.partial`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(pgDump, ['--format=custom', `--file=${partial}`, `--dbname=${url.toString()}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (d) => (errors += d));
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new PgDumpMissing(pgDumpCommand(file)) : e));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pg_dump dừng với mã ${code}: ${errors.trim()}`))));
  }).catch((e) => {
    rmSync(partial, { force: true });
    throw e;
  });
  // a dump that stopped half-way never takes a backup's name
  renameSync(partial, file);
  const removed = rotate(dir, /^cnsh-.*\.dump$/, keep);
  return { file, bytes: statSync(file).size, removed };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `npm run backup [-- --keep 30]`: DATA_DIR and DATABASE_URL as for the server
  const args = process.argv.slice(2);
  const keepAt = args.indexOf('--keep');
  const keep = keepAt >= 0 ? Number(args[keepAt + 1]) : 14;
  const { dataDir, databaseUrl } = loadConfig();
  const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  try {
    if (databaseUrl) {
      // the state is in PostgreSQL; the SQLite file in DATA_DIR is this replica's search index, rebuilt from corpus/
      const { file, bytes, removed } = await backupPostgres(databaseUrl, dataDir, { keep: Number.isFinite(keep) ? keep : 14 });
      console.log(`Đã sao lưu cơ sở dữ liệu PostgreSQL (DATABASE_URL) bằng pg_dump: ${file} (${megabytes(bytes)}).`);
      console.log(`Lệnh đã chạy: ${pgDumpCommand(file)}`);
      console.log(`Khôi phục: ${pgRestoreCommand(file)}`);
      console.log('Tệp SQLite trong DATA_DIR chỉ chứa chỉ mục tìm kiếm, được dựng lại từ corpus/ và giải đáp đã duyệt: không cần sao lưu.');
      if (removed.length) console.log(`Đã xoá ${removed.length} bản sao cũ (giữ ${keep} bản mới nhất).`);
    } else {
      const { file, bytes, removed } = await backupDatabase(dataDir, { keep: Number.isFinite(keep) ? keep : 14 });
      console.log(`Đã sao lưu: ${file} (${megabytes(bytes)}, integrity_check ok)`);
      if (removed.length) console.log(`Đã xoá ${removed.length} bản sao cũ (giữ ${keep} bản mới nhất).`);
    }
  } catch (e) {
    if (e instanceof PgDumpMissing) {
      console.error('Chưa sao lưu: không tìm thấy lệnh pg_dump trên máy này (gói postgresql-client, cùng phiên bản chính với máy chủ PostgreSQL trở lên).');
      console.error(`Cài pg_dump rồi chạy lại, hoặc chạy trên một máy có pg_dump:\n  ${e.command}`);
    } else console.error(`Sao lưu thất bại: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
