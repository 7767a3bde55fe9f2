import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Chunks of earlier builds (`widget-quiz-<hash>.js`) that the new widget.js no longer imports. */
const dropStaleChunks: Plugin = {
  name: 'cnsh-drop-stale-chunks',
  writeBundle(options, bundle) {
    const dir = options.dir ?? join(root, 'dist');
    for (const file of readdirSync(dir)) if (/^widget-[\w-]+\.js$/.test(file) && !(file in bundle)) rmSync(join(dir, file), { force: true });
  },
};

/**
 * One minified ES module, dist/widget.js, that defines <cnsh-chat> with Lit bundled in, and the student quiz as
 * a chunk beside it (dist/widget-quiz-<hash>.js) that widget.js imports only when a student opens Ôn tập.
 */
export default defineConfig({
  root,
  publicDir: false,
  plugins: [dropStaleChunks],
  logLevel: 'warn',
  mode: 'production',
  resolve: {
    // Lit's production build whatever NODE_ENV is (vitest sets "test", which would pick its dev build)
    conditions: ['module', 'browser', 'production'],
  },
  build: {
    outDir: 'dist',
    // dist/ may hold other builds: only widget.js and its widget-*.js chunks are ours to replace
    emptyOutDir: false,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    copyPublicDir: false,
    lib: {
      entry: 'widget/src/cnsh-chat.ts',
      formats: ['es'],
      fileName: () => 'widget.js',
    },
    rolldownOptions: {
      // lib mode keeps whitespace for library consumers; this file goes straight to browsers
      output: { minify: true, comments: false, chunkFileNames: 'widget-[name]-[hash].js' },
    },
  },
});
