import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ensureWidget } from './build.ts';

/** The budget of issue 4: everything a phone downloads for <cnsh-chat>, Lit included. */
export const WIDGET_BUDGET_GZIP = 20 * 1024;

export interface WidgetSize {
  bytes: number;
  gzipBytes: number;
  budgetBytes: number;
  withinBudget: boolean;
}

/** Measures dist/widget.js as served (minified) and as sent gzip-compressed (level 9). */
export async function widgetSize(): Promise<WidgetSize> {
  const code = readFileSync(await ensureWidget());
  const gzipBytes = gzipSync(code, { level: 9 }).length;
  return { bytes: code.length, gzipBytes, budgetBytes: WIDGET_BUDGET_GZIP, withinBudget: gzipBytes <= WIDGET_BUDGET_GZIP };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const s = await widgetSize();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`widget.js: ${kb(s.bytes)} minified, ${kb(s.gzipBytes)} gzip (ngân sách ${kb(s.budgetBytes)}) ${s.withinBudget ? 'OK' : 'VƯỢT NGÂN SÁCH'}`);
  if (process.argv.includes('--json')) console.log(JSON.stringify(s));
}
