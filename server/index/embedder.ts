import { topicWords } from '../text/index.ts';

/** Turns texts into vectors for the `vec0` table. */
export interface Embedder {
  /** changes when vectors would change: a different id re-embeds the corpus */
  id: string;
  dimensions: number;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Folded topic words, bigrams and character trigrams of a text, with weights. */
export function hashedFeatures(text: string): Map<string, number> {
  const content = topicWords(text);
  const features = new Map<string, number>();
  const add = (f: string, w: number) => features.set(f, (features.get(f) ?? 0) + w);
  content.forEach((t, i) => {
    add(`w:${t}`, 1);
    if (i + 1 < content.length) add(`b:${t}_${content[i + 1]}`, 1);
    const padded = `#${t}#`;
    // trigrams catch typos such as "biogass" or "ducc"
    for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.35);
  });
  return features;
}

export function embedHashed(text: string, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  for (const [f, w] of hashedFeatures(text)) {
    const h = fnv1a(f);
    v[h % dimensions]! += (h & 0x80000000 ? -1 : 1) * Math.log1p(w);
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

/** The built-in embedder: hashed syllable, bigram and character n-grams. No network, no weights. */
export function hashedEmbedder(dimensions = 512): Embedder {
  return {
    id: `hashed-ngrams-v1-${dimensions}`,
    dimensions,
    embed: async (texts) => texts.map((t) => embedHashed(t, dimensions)),
  };
}
