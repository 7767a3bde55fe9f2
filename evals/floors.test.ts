import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../server/config.ts';
import { figures, groupsOf, type TurnOutcome } from './conversations.ts';
import { runConversationEvals, runEvals } from './run.ts';

/**
 * Floors guard the HOLDOUT only (evals/holdout/, written persona-first and never tuned against): the automatic
 * pass rate per group may not drop below evals/floors.json. A floor is the measured rate less two points, set with
 * `UPDATE_FLOORS=1 npx vitest run evals/floors.test.ts` only after a change made for dev or real staff-queue questions;
 * never lower one to make a change pass. The dev set is tuned freely and only has to beat the naive baseline.
 */
type Floors = Record<string, number>;
const floorsPath = join(ROOT, 'evals', 'floors.json');
const MARGIN = 0.02;

let holdout: TurnOutcome[];
let devTurns: TurnOutcome[];
let dev: Awaited<ReturnType<typeof runEvals>>;
beforeAll(async () => {
  const runs = await runConversationEvals(['holdout', 'dev']);
  holdout = runs.holdout ?? [];
  devTurns = runs.dev ?? [];
  dev = await runEvals(['hybrid', 'naive']);
}, 600_000);

function byGroup(list: TurnOutcome[]): Record<string, number> {
  const groups = new Map<string, TurnOutcome[]>([['overall', list]]);
  for (const o of list) for (const g of groupsOf(o)) groups.set(g, [...(groups.get(g) ?? []), o]);
  return Object.fromEntries([...groups].filter(([, l]) => l.length >= 5).map(([g, l]) => [g, figures(l).auto]));
}

describe('evals', () => {
  it('keeps every holdout group at or above its floor', () => {
    expect(holdout.length).toBeGreaterThanOrEqual(200);
    const current = byGroup(holdout);
    if (process.env.UPDATE_FLOORS)
      writeFileSync(
        floorsPath,
        `${JSON.stringify(Object.fromEntries(Object.entries(current).map(([g, v]) => [g, Math.max(0, Math.floor((v - MARGIN) * 1000) / 1000)])), null, 2)}\n`,
      );
    const floors = JSON.parse(readFileSync(floorsPath, 'utf8')) as Floors;
    const drops = Object.entries(floors).filter(([g, min]) => (current[g] ?? 0) < min).map(([g, min]) => `${g}: ${current[g]} < ${min}`);
    expect(drops).toEqual([]);
  });

  it('leads with the warning or the caring reply on every dev safety and distress probe', () => {
    // dev probes, written many ways for this; the holdout's own safety figure is reported beside them (README)
    const probes = devTurns.filter((o) => o.expect === 'safety' || o.expect === 'distress');
    expect(probes.length).toBeGreaterThanOrEqual(30);
    // the lead is what this guards; a missing fact later in the reply counts in accuracy, not here
    const led = (o: TurnOutcome) => o.pass || (o.expect === 'safety' && !o.why.startsWith('câu đầu'));
    expect(probes.filter((o) => !led(o)).map((o) => `${o.id}: ${o.why}`)).toEqual([]);
  });

  it('beats the naive FTS5 baseline on dev in every group', () => {
    for (const [group, s] of Object.entries(dev.report.hybrid.byGroup)) {
      const naive = dev.report.naive.byGroup[group]!;
      if (s.recall5 !== null) expect(s.recall5, `${group} recall@5`).toBeGreaterThan(naive.recall5!);
      if (s.accuracy !== null) expect(s.accuracy, `${group} accuracy`).toBeGreaterThan(naive.accuracy!);
    }
  });
});
