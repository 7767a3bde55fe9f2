import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` writes the widget and where GET /widget.js reads it. */
export const WIDGET_FILE = fileURLToPath(new URL('../dist/widget.js', import.meta.url));
const CONFIG_FILE = fileURLToPath(new URL('./vite.config.ts', import.meta.url));

let building: Promise<void> | null = null;

/** Builds dist/widget.js with the project's Vite config (the same as `npm run build`). */
export function buildWidget(): Promise<void> {
  building ??= import('vite')
    .then(({ build }) => build({ configFile: CONFIG_FILE, logLevel: 'warn' }))
    .then(() => undefined)
    .finally(() => {
      building = null;
    });
  return building;
}

export async function ensureWidget(): Promise<string> {
  if (!existsSync(WIDGET_FILE)) await buildWidget();
  return WIDGET_FILE;
}
