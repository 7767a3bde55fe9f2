import type { Context, Hono } from 'hono';
import { GLOSSARY_DOC_ID, CATALOG_DOC_ID, type CorpusDocument } from '../../corpus/index.ts';
import type { Audience } from '../../corpus/schema.ts';
import {
  AUDIENCES,
  corpusResolver,
  curatedById,
  distinctVariants,
  listCurated,
  saveCurated,
  sourceRefOf,
  unpublishCurated,
  type CuratedAnswer,
  type CuratedInput,
  type SourceRef,
} from '../curated.ts';
import { answerFormPage, curatedListPage, messagePage, type AnswerFormView, type SectionChoice } from '../pages.ts';
import { auditLog } from '../db.ts';
import { groupOf, questionsAnsweredBy } from '../queue.ts';
import { zaloOffer } from './channels.ts';
import { isJsonRequest, jsonError, many, one, type ConsoleDeps, type Env, type Form } from './http.ts';

/** Curated answers: written once by staff from a queue group, then served by the assistant as an FAQ entry. */
export function curatedRoutes(admin: Hono<Env>, { assistant, allowedOrigins }: ConsoleDeps) {
  const { state } = assistant;

  const resolve = corpusResolver(assistant.corpus);
  const docOrder = (d: CorpusDocument) => (d.kind === 'plan' ? 0 : d.id === GLOSSARY_DOC_ID || d.id === CATALOG_DOC_ID ? 2 : 1);
  const documents = [...assistant.corpus.documents].sort((a, b) => docOrder(a) - docOrder(b) || a.title.localeCompare(b.title, 'vi'));
  const choiceOf = (doc: CorpusDocument, anchor: string): SectionChoice | null => {
    const s = doc.sections.find((x) => x.anchor === anchor);
    if (!s || !s.text) return null;
    const flat = s.text.replace(/\s+/g, ' ');
    return { value: `${doc.id}|${s.anchor}`, doc: doc.shortTitle, label: s.label, preview: flat.length > 160 ? `${flat.slice(0, 160)}…` : flat };
  };
  const docById = new Map(documents.map((d) => [d.id, d]));

  /** "docId|anchor" from a checkbox → the reference written in the entry. */
  const sourceOf = (value: string): SourceRef | null => {
    const [docId = '', anchor = ''] = value.split('|', 2);
    const doc = docById.get(docId);
    const section = doc?.sections.find((s) => s.anchor === anchor);
    return doc && section ? sourceRefOf(doc, section) : null;
  };
  const choiceValue = (s: SourceRef) => {
    const r = resolve(s.docId, s.section);
    return r ? `${r.docId}|${r.anchor}` : null;
  };

  async function formView(
    c: Context<Env>,
    v: Omit<AnswerFormView, 'session' | 'suggested' | 'documents' | 'chosen'> & { sources: SourceRef[] },
  ): Promise<AnswerFormView> {
    const chosen = new Set(v.sources.map(choiceValue).filter((x): x is string => !!x));
    const suggested: SectionChoice[] = [];
    if (v.question) {
      const { hits } = await assistant.retriever.retrieve(v.question, { limit: 12 });
      for (const h of hits) {
        if (h.chunk.kind === 'faq') continue;
        const doc = docById.get(h.chunk.docId);
        const choice = doc && choiceOf(doc, h.chunk.anchor);
        if (choice && !suggested.some((s) => s.value === choice.value)) suggested.push(choice);
        if (suggested.length >= 6) break;
      }
    }
    const shown = new Set(suggested.map((s) => s.value));
    return {
      ...v,
      session: c.get('session'),
      chosen,
      suggested,
      documents: documents.map((doc) => ({
        doc,
        sections: doc.sections.map((s) => choiceOf(doc, s.anchor)).filter((s): s is SectionChoice => !!s && !shown.has(s.value)),
      })),
    };
  }

  /** Does each wording of the question now get this answer? Asked without logging, so statistics stay real. */
  async function checks(a: CuratedAnswer) {
    if (a.status !== 'published') return [];
    const wordings = [a.question, ...a.variants].slice(0, 6);
    return Promise.all(
      wordings.map(async (question) => {
        const r = await assistant.answer({ message: question }, { log: false });
        return { question, gotIt: r.answered && r.citations[0]?.id === `hoi-dap#${a.id}` };
      }),
    );
  }

  admin.get('/giai-dap', async (c) => c.html(curatedListPage(c.get('session'), await listCurated(state), c.req.query('tb'))));

  admin.get('/giai-dap/moi', async (c) => {
    const groupId = c.req.query('nhom');
    const group = groupId ? await groupOf(state, groupId, assistant.retriever.idf) : null;
    const open = group?.items.filter((i) => i.status === 'open') ?? [];
    const view = await formView(c, {
      existing: null,
      question: group?.text ?? '',
      // the other wordings people really used stay as variants, so a paraphrase of any of them matches
      variants: group?.texts.map((t) => t.text).filter((t) => t !== group.text) ?? [],
      answer: '',
      audience: [],
      sources: [],
      references: [],
      questionIds: (open.length ? open : (group?.items ?? [])).map((i) => i.id),
      asked: group?.texts.map((t) => t.text) ?? [],
      ...(group ? { groupId: group.id } : {}),
      problems: [],
    });
    return c.html(answerFormPage(view));
  });

  const readAnswerForm = async (c: Context<Env>): Promise<{ input: CuratedInput; publish: boolean; groupId?: string }> => {
    const form = (await c.req.parseBody({ all: true })) as Form;
    const groupId = one(form, 'nhom');
    const titles = many(form, 'van-ban-ten');
    const links = many(form, 'van-ban-link');
    return {
      input: {
        question: one(form, 'cau-hoi'),
        // what people asked stays a variant even if the question above was reworded (the question itself is dropped on save)
        variants: [...one(form, 'cach-hoi').split(/\r?\n/), ...many(form, 'da-hoi')],
        answer: one(form, 'tra-loi'),
        audience: many(form, 'doi-tuong').filter((a): a is Audience => (AUDIENCES as string[]).includes(a)),
        sources: [...new Set(many(form, 'nguon'))].map(sourceOf).filter((s): s is SourceRef => !!s),
        // an outside document: its title and its link, row by row; empty rows are the form's spare ones
        references: titles
          .map((title, i) => ({ title: title.normalize('NFC').trim(), url: (links[i] ?? '').trim() }))
          .filter((r) => r.title || r.url),
        ownAnswer: one(form, 'cua-so') === '1',
        questionIds: many(form, 'ids').slice(0, 1000),
      },
      publish: one(form, 'hanh-dong') !== 'nhap',
      ...(groupId ? { groupId } : {}),
    };
  };

  const saveFromForm = async (c: Context<Env>, id?: string) => {
    const { input, publish, groupId } = await readAnswerForm(c);
    const result = await saveCurated(assistant, input, c.get('session').staff.username, { ...(id ? { id } : {}), publish, allowedOrigins });
    if (!result.ok) {
      const view = await formView(c, {
        existing: id ? await curatedById(state, id) : null,
        ...input,
        variants: distinctVariants(input.question, input.variants),
        ...(groupId ? { groupId } : {}),
        problems: result.problems,
      });
      return c.html(answerFormPage(view), 422);
    }
    // issue 16: askers in Zalo are offered the answer right after it is published
    if (publish && (await zaloOffer({ assistant }, result.answer.id))) return c.redirect(`/admin/giai-dap/${result.answer.id}/zalo?moi=1`, 303);
    return c.redirect(`/admin/giai-dap/${result.answer.id}?tb=${publish ? 'da-xuat-ban' : 'da-luu-nhap'}`, 303);
  };

  admin.post('/giai-dap', (c) => saveFromForm(c));

  admin.post('/api/giai-dap', async (c) => {
    if (!isJsonRequest(c)) return jsonError(c, 415, 'not_json', 'Yêu cầu phải gửi dạng JSON.');
    const b = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    const input: CuratedInput = {
      question: typeof b?.question === 'string' ? b.question : '',
      variants: strings(b?.variants),
      answer: typeof b?.answer === 'string' ? b.answer : '',
      audience: strings(b?.audience) as Audience[],
      sources: (Array.isArray(b?.sources) ? b.sources : [])
        .filter((s): s is { docId: string; section?: unknown } => typeof s === 'object' && s !== null && typeof (s as { docId?: unknown }).docId === 'string')
        .map((s) => (typeof s.section === 'string' ? { docId: s.docId, section: s.section } : { docId: s.docId })),
      references: (Array.isArray(b?.references) ? b.references : [])
        .filter((r): r is { title: unknown; url: unknown } => typeof r === 'object' && r !== null)
        .map((r) => ({ title: typeof r.title === 'string' ? r.title : '', url: typeof r.url === 'string' ? r.url : '' })),
      ownAnswer: b?.ownAnswer === true,
      questionIds: strings(b?.questionIds),
    };
    const id = typeof b?.id === 'string' ? b.id : undefined;
    const result = await saveCurated(assistant, input, c.get('session').staff.username, { ...(id ? { id } : {}), publish: b?.publish !== false, allowedOrigins });
    if (!result.ok) return jsonError(c, 422, 'invalid', 'Giải đáp chưa hợp lệ.', { problems: result.problems });
    return c.json({ id: result.answer.id, status: result.answer.status, chunkId: `hoi-dap#${result.answer.id}` }, id ? 200 : 201);
  });

  admin.get('/giai-dap/:id', async (c) => {
    const a = await curatedById(state, c.req.param('id'));
    if (!a) return c.html(messagePage('Không tìm thấy', 'Không tìm thấy giải đáp này.', c.get('session')), 404);
    const questionIds = await questionsAnsweredBy(state, a.id);
    const view = await formView(c, {
      existing: a,
      question: a.question,
      variants: a.variants,
      answer: a.answer,
      audience: a.audience,
      sources: a.sources,
      references: a.references,
      ownAnswer: !a.sources.length && !a.references.length,
      questionIds,
      problems: [],
      checks: await checks(a),
      history: await auditLog(state, { target: a.id, limit: 50 }),
      notice: c.req.query('tb'),
    });
    return c.html(answerFormPage(view));
  });

  admin.post('/giai-dap/:id', (c) => saveFromForm(c, c.req.param('id')));

  admin.post('/giai-dap/:id/go', async (c) => {
    const id = c.req.param('id');
    if (!(await unpublishCurated(assistant, id, c.get('session').staff.username)))
      return c.html(messagePage('Không gỡ được', 'Giải đáp này không tồn tại hoặc đang không được dùng.', c.get('session')), 404);
    return c.redirect(`/admin/giai-dap/${encodeURIComponent(id)}?tb=da-go`, 303);
  });
}
