import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './config.ts';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** everything the process printed so far */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The heap cap `npm start` uses: V8 sizes its heap by the machine's memory otherwise and grows it lazily. */
export const SERVER_NODE_OPTIONS = ['--max-old-space-size=256'];

/**
 * `npm start` without the widget build, as its own process on a free port (PORT=0; main.ts prints the URL), or
 * another `script` that prints its URL the same way (the bench's server).
 * Started with node itself, not npx, so a signal reaches the server and not a wrapper around it.
 */
export async function startServerProcess(env: Record<string, string>, script = 'server/main.ts'): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LLM_BASE_URL: '', EMBEDDING_BASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (m) resolve(m[0]);
    };
    child.stdout!.on('data', check);
    void exited.then(() => reject(new Error(`máy chủ dừng trước khi chạy:\n${output}`)));
  });
  return { child, url, output: () => output, exited };
}
