import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../server/config.ts';
import type { Scores } from './evaluate.ts';
import { runEvals } from './run.ts';

/**
 * `npm test` fails when a score drops below the floor recorded in evals/floors.json.
 * Raise a floor with `UPDATE_FLOORS=1 npx vitest run evals/floors.test.ts` after an improvement.
 */
type Floors = Record<string, Partial<Record<keyof Scores, number>>>;
const floorsPath = join(ROOT, 'evals', 'floors.json');

let result: Awaited<ReturnType<typeof runEvals>>;
beforeAll(async () => {
  result = await runEvals(['hybrid', 'naive']);
}, 300_000);

describe('evals', () => {
  it('keeps every score at or above its recorded floor', () => {
    const hybrid = result.report.hybrid;
    const current: Record<string, Scores> = {
      overall: hybrid.overall,
      ...Object.fromEntries(Object.entries(hybrid.byGroup).map(([k, v]) => [`group:${k}`, v])),
      ...Object.fromEntries(Object.entries(hybrid.byVariant).map(([k, v]) => [`variant:${k}`, v])),
    };
    if (process.env.UPDATE_FLOORS) {
      const floors: Floors = {};
      for (const [name, s] of Object.entries(current))
        floors[name] = Object.fromEntries(
          (['accuracy', 'recall5', 'mrr10', 'declineRecall'] as const)
            .filter((k) => s[k] !== null)
            .map((k) => [k, Math.floor((s[k]! - 0.005) * 1000) / 1000]),
        );
      writeFileSync(floorsPath, `${JSON.stringify(floors, null, 2)}\n`);
    }
    const floors = JSON.parse(readFileSync(floorsPath, 'utf8')) as Floors;
    const drops: string[] = [];
    for (const [name, floor] of Object.entries(floors))
      for (const [metric, min] of Object.entries(floor)) {
        const value = current[name]?.[metric as keyof Scores];
        if (value === undefined || value === null || value < min!) drops.push(`${name} ${metric}: ${value} < ${min}`);
      }
    expect(drops).toEqual([]);
  });

  it('beats the naive FTS5 baseline in every group', () => {
    for (const [group, s] of Object.entries(result.report.hybrid.byGroup)) {
      const naive = result.report.naive.byGroup[group]!;
      if (s.recall5 !== null) expect(s.recall5, `${group} recall@5`).toBeGreaterThan(naive.recall5!);
      if (s.accuracy !== null) expect(s.accuracy, `${group} accuracy`).toBeGreaterThan(naive.accuracy!);
      if (s.declinePrecision !== null) expect(s.declinePrecision, `${group} decline precision`).toBeGreaterThanOrEqual(naive.declinePrecision!);
    }
  });

  it('declines the out-of-scope questions and answers the in-scope ones', () => {
    const o = result.report.hybrid.byGroup['out-of-scope']!;
    expect(o.declineRecall).toBeGreaterThanOrEqual(0.9);
    expect(result.report.hybrid.overall.recall5).toBeGreaterThanOrEqual(0.95);
  });
});
