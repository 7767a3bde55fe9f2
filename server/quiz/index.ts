import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Assistant } from '../assistant.ts';
import type { Config } from '../config.ts';
import { canonicalDocId, CorpusError, findSection, type Corpus } from '../corpus/index.ts';
import { fold } from '../text/index.ts';
import { clientAddress, rateKey, trustedProxies } from '../http/guard/client.ts';
import { quizApi } from './api.ts';
import { teacherPage } from './page.ts';
import { QuizFile, TOPICS, type QuizQuestion, type Topic } from './schema.ts';

export { TOPICS, DIFFICULTIES, type Topic, type Difficulty } from './schema.ts';

/** Where a question's facts come from, as the student's "Nguồn" link shows it. */
export interface QuizSource {
  docId: string;
  anchor: string;
  /** the document's short title */
  title: string;
  /** how a citation names the section */
  section: string;
  /** the readable source page, relative to the server: `/nguon/<docId>#<anchor>` */
  url: string;
}

export interface QuizOption {
  /** opaque and stable: a hash of the question id and the option's text, so it reveals nothing */
  id: string;
  text: string;
}

export interface BankQuestion extends QuizQuestion {
  /** the answer first, then the distractors; rounds shuffle them */
  options: QuizOption[];
  correctChoice: string;
  resolved: QuizSource;
  file: string;
}

export interface QuizBank {
  questions: BankQuestion[];
  byId: Map<string, BankQuestion>;
  topics: { id: Topic; label: string; count: number }[];
}

export function optionId(questionId: string, text: string): string {
  return createHash('sha256').update(`${questionId}\n${text}`).digest('hex').slice(0, 8);
}

/** Reads corpus/quiz/*.yaml, checks it against the schema and resolves every source; throws on any problem. */
export function loadQuizBank(corpusDir: string, corpus: Pick<Corpus, 'documents'>): QuizBank {
  const dir = join(corpusDir, 'quiz');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort() : [];
  const problems: string[] = [];
  const questions: BankQuestion[] = [];
  const byId = new Map<string, BankQuestion>();
  const docs = new Map(corpus.documents.map((d) => [d.id, d]));

  for (const name of files) {
    const file = `quiz/${name}`;
    // NFC only: the text pipeline's normalize() would straighten the “” quotes students read
    const parsed = QuizFile.safeParse(parseYaml(readFileSync(join(dir, name), 'utf8').normalize('NFC')));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${file}: ${issue.path.join('.')}: ${issue.message}`);
      continue;
    }
    for (const q of parsed.data) {
      if (byId.has(q.id)) problems.push(`${file}: id câu hỏi trùng: ${q.id}`);
      const texts = [q.answer, ...q.distractors];
      if (new Set(texts.map(fold)).size !== texts.length) problems.push(`${file}: ${q.id}: các phương án phải khác nhau`);
      const doc = docs.get(canonicalDocId(q.source.docId));
      const section = doc ? findSection(doc, q.source.section) : null;
      if (!doc || !section) {
        problems.push(`${file}: ${q.id}: nguồn không tồn tại: ${q.source.docId} / ${q.source.section}`);
        continue;
      }
      const options = texts.map((text) => ({ id: optionId(q.id, text), text }));
      const question: BankQuestion = {
        ...q,
        options,
        correctChoice: options[0]!.id,
        resolved: {
          docId: doc.id,
          anchor: section.anchor,
          title: doc.shortTitle,
          section: section.label,
          url: `/nguon/${encodeURIComponent(doc.id)}#${encodeURIComponent(section.anchor)}`,
        },
        file,
      };
      questions.push(question);
      byId.set(q.id, question);
    }
  }
  if (problems.length) throw new CorpusError(problems);

  const topics = (Object.keys(TOPICS) as Topic[])
    .map((id) => ({ id, label: TOPICS[id], count: questions.filter((q) => q.topic === id).length }))
    .filter((t) => t.count > 0);
  return { questions, byId, topics };
}

/**
 * Practice rounds ("Ôn tập") for students and the teachers' page: `api` goes under /api/quiz (behind the API
 * guard), `teacherPage` is GET /giao-vien.
 */
export function quizRoutes(assistant: Assistant, config: Pick<Config, 'corpusDir' | 'allowedOrigins' | 'trustProxy'> & Partial<Pick<Config, 'publicBaseUrl'>>) {
  const bank = loadQuizBank(config.corpusDir, assistant.corpus);
  const proxies = trustedProxies(config.trustProxy);
  return {
    bank,
    api: quizApi(assistant.state, bank, { clientKey: (c) => rateKey(clientAddress(c, proxies)) }),
    teacherPage: teacherPage(assistant, bank, config),
  };
}
