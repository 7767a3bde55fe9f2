import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

type Entry = Record<string, unknown>;

/**
 * Writes `times` copies of corpus/ into `dest` as one corpus: copy k renames every document, catalog entry,
 * glossary term and FAQ entry (suffix "-x<k>") and points each FAQ source at its own copy, so the loader
 * accepts it and the index holds `times` as many chunks.
 */
export function multiplyCorpus(src: string, dest: string, times: number): void {
  mkdirSync(dest, { recursive: true });
  const suffix = (k: number) => (k === 0 ? '' : `-x${k}`);
  const markdownIds = new Set<string>();

  for (const folder of ['plan', 'guides']) {
    mkdirSync(join(dest, folder), { recursive: true });
    for (const file of readdirSync(join(src, folder)).filter((f) => f.endsWith('.md'))) {
      const id = basename(file, '.md');
      markdownIds.add(id);
      const raw = readFileSync(join(src, folder, file), 'utf8');
      for (let k = 0; k < times; k++)
        writeFileSync(join(dest, folder, `${id}${suffix(k)}.md`), raw.replace(/^id:\s*\S+\s*$/m, `id: ${id}${suffix(k)}`));
    }
  }

  const glossary = parseYaml(readFileSync(join(src, 'glossary.yaml'), 'utf8')) as Entry[];
  writeFileSync(
    join(dest, 'glossary.yaml'),
    stringifyYaml(Array.from({ length: times }, (_, k) => glossary.map((g) => ({ ...g, term: k ? `${g.term} (bản ${k})` : g.term }))).flat()),
  );

  mkdirSync(join(dest, 'catalog'), { recursive: true });
  for (const file of readdirSync(join(src, 'catalog')).filter((f) => f.endsWith('.yaml'))) {
    const entries = parseYaml(readFileSync(join(src, 'catalog', file), 'utf8')) as Entry[];
    for (let k = 0; k < times; k++)
      writeFileSync(join(dest, 'catalog', file.replace(/\.yaml$/, `${suffix(k)}.yaml`)), stringifyYaml(entries.map((e) => ({ ...e, id: `${e.id}${suffix(k)}` }))));
  }

  mkdirSync(join(dest, 'faq'), { recursive: true });
  for (const file of readdirSync(join(src, 'faq')).filter((f) => f.endsWith('.yaml'))) {
    const entries = (parseYaml(readFileSync(join(src, 'faq', file), 'utf8')) ?? []) as Entry[];
    for (let k = 0; k < times; k++) {
      const copy = entries.map((e) => ({
        ...e,
        id: `${e.id}${suffix(k)}`,
        sources: (e.sources as { docId: string; section?: string }[]).map((s) => ({
          ...s,
          docId: markdownIds.has(s.docId) ? `${s.docId}${suffix(k)}` : s.docId,
        })),
      }));
      writeFileSync(join(dest, 'faq', file.replace(/\.yaml$/, `${suffix(k)}.yaml`)), stringifyYaml(copy));
    }
  }

  // quizzes are not indexed for chat; copied once so the folder looks like a corpus
  cpSync(join(src, 'quiz'), join(dest, 'quiz'), { recursive: true });
  // how people ask is read for questions only: one copy, whatever the size of the corpus
  copyFileSync(join(src, 'lexicon.yaml'), join(dest, 'lexicon.yaml'));
  copyFileSync(join(src, 'README.md'), join(dest, 'README.md'));
}
