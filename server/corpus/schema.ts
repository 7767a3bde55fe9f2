import { z } from 'zod';

/** Schemas of everything under corpus/ (see corpus/README.md). */

const nonEmpty = z.string().trim().min(1);
const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'chỉ chữ thường không dấu, số và dấu -');

export const Audience = z.enum(['citizen', 'farmer', 'enterprise', 'student']);
export type Audience = z.infer<typeof Audience>;

export const Source = z
  .object({
    title: nonEmpty,
    publisher: z.string().optional(),
    // rendered as a link on /nguon pages: http(s) only, never javascript: or data:
    url: z.url({ protocol: /^https?$/ }).optional(),
    ref: z.string().optional(),
    note: z.string().optional(),
  })
  .strict();
export type Source = z.infer<typeof Source>;

const sources = z.array(Source).min(1, 'mọi tài liệu phải có nguồn');

export const DocumentFrontMatter = z
  .object({
    id: slug,
    title: nonEmpty,
    shortTitle: z.string().optional(),
    audience: z.array(Audience).min(1),
    topics: z.array(z.string()).default([]),
    summary: z.string().optional(),
    sources,
    updated: z.union([z.string(), z.date()]).transform(String),
    status: z.enum(['published', 'draft']),
    issuer: z.string().nullable().optional(),
    implements: z.string().nullable().optional(),
    submission: z.string().nullable().optional(),
    signer: z.string().nullable().optional(),
    documentNumber: z.string().nullable().optional(),
    note: z.string().optional(),
  })
  .strict();
export type DocumentFrontMatter = z.infer<typeof DocumentFrontMatter>;

export const GlossaryEntry = z
  .object({
    term: nonEmpty,
    aliases: z.array(z.string()).default([]),
    definition: nonEmpty,
    sources,
  })
  .strict();
export const Glossary = z.array(GlossaryEntry).min(1);
export type GlossaryEntry = z.infer<typeof GlossaryEntry>;

const textList = z.union([z.array(nonEmpty), nonEmpty.transform((s) => [s])]);

export const CatalogEntry = z
  .object({
    id: slug,
    name: nonEmpty,
    type: nonEmpty,
    uses: textList,
    treats: textList.default([]),
    organisms: textList.default([]),
    howToUse: nonEmpty,
    cautions: textList.default([]),
    legalNote: nonEmpty,
    maker: z.string().optional(),
    sources,
    verified: z.boolean(),
  })
  .strict();
export const Catalog = z.array(CatalogEntry).min(1);
export type CatalogEntry = z.infer<typeof CatalogEntry>;

export const SectionRef = z.object({ docId: nonEmpty, section: z.string().optional() }).strict();
export type SectionRef = z.infer<typeof SectionRef>;

/** An official document outside the corpus (a decree, a notice of the Sở), cited by its title and public link. */
export const OfficialRef = z.object({ title: nonEmpty, url: z.url({ protocol: /^https?$/ }) }).strict();
export type OfficialRef = z.infer<typeof OfficialRef>;

export const FaqEntry = z
  .object({
    id: slug,
    question: nonEmpty,
    variants: z.array(nonEmpty).default([]),
    answer: nonEmpty,
    audience: z.array(Audience).default([]),
    sources: z.array(SectionRef),
    /** official documents outside the corpus that the answer rests on (curated answers) */
    references: z.array(OfficialRef).default([]),
    curatedBy: z.string().optional(),
    updated: z.union([z.string(), z.date()]).transform(String).optional(),
  })
  .strict()
  // a staff answer may rest on the Sở's own word or an outside document; a corpus FAQ always cites a section
  .refine((e) => e.sources.length > 0 || e.curatedBy !== undefined, {
    path: ['sources'],
    message: 'mỗi câu hỏi đáp phải dẫn tới tài liệu và mục hỗ trợ nó',
  });
export const Faq = z.array(FaqEntry);
export type FaqEntry = z.infer<typeof FaqEntry>;

/** corpus/lexicon.yaml: how people ask (server/understand); read for questions only, never indexed. */
const phrases = z.array(nonEmpty).min(1);
export const Lexicon = z
  .object({
    sources: z.record(z.string(), nonEmpty),
    concepts: z.array(z.object({ id: slug, term: nonEmpty, forms: phrases, source: nonEmpty }).strict()),
    frames: z.record(
      z.enum(['safety-ask', 'contact', 'brand', 'cost', 'duration', 'where-who', 'quantity', 'compare', 'why', 'how-to', 'yes-no', 'what-is']),
      phrases,
    ),
    preamble: z
      .object({ greetings: phrases, address: phrases, 'lead-ins': phrases, particles: phrases, 'self-intro': phrases, pronouns: phrases })
      .strict(),
    smalltalk: z.object({ identity: phrases, thanks: phrases, 'greeting-only': phrases, ok: phrases }).strict(),
    distress: phrases,
    safety: z.array(
      z
        .object({
          id: slug,
          things: phrases,
          acts: z.array(nonEmpty),
          docId: slug,
          section: nonEmpty,
          lead: z.array(nonEmpty).default([]),
          source: nonEmpty,
        })
        .strict(),
    ),
  })
  .strict();
export type Lexicon = z.infer<typeof Lexicon>;
