import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Answer or decline, from what retrieval found: a small logistic model over a handful of features, fitted on
 * evals/dev by `npm run eval -- --fit` (evals/fit.ts), which writes decision.json beside this file with how it
 * was fitted. The operating point comes from a stated cost: a wrong answer costs as much as `cost` wrong declines.
 */
export const FEATURES = ['coverage', 'focus', 'focusPairs', 'context', 'coverageDomain', 'concept', 'ownTopic', 'unknown', 'faq', 'single'] as const;
export type Features = Record<(typeof FEATURES)[number], number>;

const Decision = z
  .object({
    features: z.array(z.enum(FEATURES)),
    weights: z.array(z.number()),
    bias: z.number(),
    /** answer at or above this probability */
    answerAt: z.number(),
    /** answered below this probability: said to be uncertain, and sent to the staff queue */
    uncertainAt: z.number(),
    provenance: z.record(z.string(), z.unknown()),
  })
  .strict();
export type Decision = z.infer<typeof Decision>;

export const DECISION_FILE = fileURLToPath(new URL('./decision.json', import.meta.url));

export const decision: Decision = Decision.parse(JSON.parse(readFileSync(DECISION_FILE, 'utf8')));

export function probability(f: Features, d: Decision = decision): number {
  let z = d.bias;
  d.features.forEach((name, i) => (z += d.weights[i]! * f[name]));
  return 1 / (1 + Math.exp(-z));
}

/** The staff queue's "chưa chắc" (low confidence): answers given below this probability. */
export const LOW_CONFIDENCE = decision.uncertainAt;
