import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../config.ts';
import { testBackends, testDatabase, type TestDatabase } from '../store/testing.ts';

describe.each(testBackends())('the question log on %s keeps every acknowledged write through a SIGKILL', (dialect) => {
  let t: TestDatabase;
  // the writer's own search index when the state is in PostgreSQL
  const indexDir = mkdtempSync(join(tmpdir(), 'cnsh-kill-index-'));
  afterEach(async () => {
    await t?.drop();
    rmSync(indexDir, { recursive: true, force: true });
  });

  it('a process killed right after its writes resolved: every one of them is in the database', async () => {
    t = await testDatabase(dialect);
    const env = dialect === 'postgres' ? { DATABASE_URL: t.url!, DATA_DIR: indexDir } : { DATABASE_URL: '', DATA_DIR: t.dataDir! };
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/log/testing-writer.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let errors = '';
    child.stderr.on('data', (d) => (errors += d));

    const acknowledged: string[] = [];
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (line.startsWith('ok ')) acknowledged.push(line.slice(3));
        // killed mid-stream: the next batches are being written while the signal lands
        if (acknowledged.length >= 300 && child.signalCode === null) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      void exited.then(() => reject(new Error(`the writer stopped by itself:\n${errors}`)));
    });
    expect(await exited).toBe('SIGKILL');

    // read back by a process that did not write them (this one, on its own connection)
    const stored = new Set((await t.db.all<{ id: string }>('SELECT id FROM questions')).map((r) => r.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(acknowledged.length);
  }, 60_000);
});
