import { html } from 'hono/html';
import type { Bucket } from './stats.ts';

/** Charts as inline SVG drawn on the server: no chart library, nothing fetched from elsewhere. */

function niceMax(n: number): number {
  if (n <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

let chartCount = 0;

/** Questions per week or month, answered and not answered stacked. */
export function questionsChart(buckets: Bucket[], title: string) {
  const id = `bieu-do-${++chartCount}`;
  const width = 760;
  const height = 260;
  const left = 44;
  const bottom = 36;
  const top = 16;
  const plotW = width - left - 12;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...buckets.map((b) => b.total)));
  const slot = plotW / Math.max(buckets.length, 1);
  const barW = Math.max(2, Math.min(36, slot * 0.7));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const every = Math.ceil(buckets.length / 14);
  const answered = buckets.reduce((n, b) => n + b.answered, 0);
  const total = buckets.reduce((n, b) => n + b.total, 0);
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-t ${id}-d" xmlns="http://www.w3.org/2000/svg">
    <title id="${id}-t">${title}</title>
    <desc id="${id}-d">${total} câu hỏi, ${answered} được trả lời, chia theo ${buckets.length} khoảng thời gian; số liệu chi tiết ở bảng bên dưới.</desc>
    ${[0, 0.5, 1].map(
      (f) => html`<line class="grid" x1="${left}" x2="${width - 8}" y1="${y(max * f)}" y2="${y(max * f)}" stroke="#d0d7d2" />
        <text class="axis" x="${left - 6}" y="${y(max * f) + 4}" text-anchor="end" font-size="11">${Math.round(max * f)}</text>`,
    )}
    ${buckets.map((b, i) => {
      const x = left + i * slot + (slot - barW) / 2;
      const declined = b.total - b.answered;
      return html`<g>
        <title>${b.label}: ${b.total} câu hỏi, ${b.answered} được trả lời</title>
        <rect class="bar-answered" x="${x}" y="${y(b.answered)}" width="${barW}" height="${y(0) - y(b.answered)}" fill="#2e7d4f" />
        <rect class="bar-declined" x="${x}" y="${y(b.total)}" width="${barW}" height="${y(0) - y(declined)}" fill="#d9822b" />
        ${i % every === 0 ? html`<text class="axis" x="${x + barW / 2}" y="${height - bottom + 16}" text-anchor="middle" font-size="11">${b.label}</text>` : ''}
      </g>`;
    })}
    <g class="legend" font-size="11">
      <rect x="${left}" y="${height - 12}" width="10" height="10" fill="#2e7d4f" class="bar-answered" />
      <text x="${left + 14}" y="${height - 3}">Được trả lời</text>
      <rect x="${left + 110}" y="${height - 12}" width="10" height="10" fill="#d9822b" class="bar-declined" />
      <text x="${left + 124}" y="${height - 3}">Chưa trả lời được</text>
    </g>
  </svg>`;
}

/** Horizontal bars for a ranking (topics, audiences, sites). */
export function rankingChart(rows: { label: string; value: number }[], title: string, { narrow = false } = {}) {
  const id = `bieu-do-${++chartCount}`;
  const shown = rows.slice(0, 10);
  const rowH = 26;
  // a half-width chart gets a smaller drawing, so its text keeps a readable size
  const width = narrow ? 420 : 760;
  const labelW = narrow ? 170 : 300;
  const height = Math.max(1, shown.length) * rowH + 8;
  const max = Math.max(1, ...shown.map((r) => r.value));
  const barMax = width - labelW - 60;
  const maxChars = narrow ? 24 : 44;
  const clip = (s: string) => ([...s].length > maxChars ? `${[...s].slice(0, maxChars - 1).join('')}…` : s);
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-t" xmlns="http://www.w3.org/2000/svg">
    <title id="${id}-t">${title}</title>
    ${shown.map(
      (r, i) => html`<g>
        <title>${r.label}: ${r.value}</title>
        <text class="axis" x="${labelW - 8}" y="${i * rowH + 18}" text-anchor="end" font-size="12">${clip(r.label)}</text>
        <rect class="bar-answered" x="${labelW}" y="${i * rowH + 6}" width="${Math.max(2, (r.value / max) * barMax)}" height="16" fill="#2e7d4f" />
        <text class="axis" x="${labelW + Math.max(2, (r.value / max) * barMax) + 6}" y="${i * rowH + 18}" font-size="12">${r.value}</text>
      </g>`,
    )}
  </svg>`;
}
