import { z } from 'zod';
import { STARTERS } from './starters.ts';

/**
 * The HTTP contract of shared/CONTRACT.md, declared once. The server validates with these schemas; the
 * widget imports the inferred types with `import type` (0 bytes in its bundle), so renaming a field on one
 * side fails `tsc` on the other.
 */

export { STARTERS };

/** Who is asking: the widget's two voices (not the content audiences of corpus/schema.ts). */
export const AudienceSchema = z.enum(['citizen', 'student']);
export type Audience = z.infer<typeof AudienceSchema>;

export const KindSchema = z.enum(['plan', 'guide', 'catalog', 'faq']);
export type Kind = z.infer<typeof KindSchema>;

/** The body of `POST /api/chat` as it arrives (`message` is cleaned and measured by the assistant). */
export const ChatRequestSchema = z.object({
  message: z.string(),
  // only an id this server issued (a UUID): anything else would be stored as sent, a phone number included
  conversationId: z
    .string()
    .regex(/^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/i)
    .optional()
    .nullable(),
  audience: AudienceSchema.optional().nullable(),
  site: z.string().max(200).optional().nullable(),
});
export type ChatRequestBody = z.infer<typeof ChatRequestSchema>;

/** A request once cleaned: what every channel hands `assistant.ask`. */
export interface ChatRequest {
  message: string;
  conversationId?: string;
  audience?: Audience;
  site?: string;
}

export const CitationSchema = z.object({
  id: z.string(),
  docId: z.string(),
  kind: KindSchema,
  title: z.string(),
  section: z.string(),
  url: z.string().optional(),
  snippet: z.string(),
});
export type Citation = z.infer<typeof CitationSchema>;

/** The `200` body of `POST /api/chat`, and the data of the SSE `done` event. */
export const ChatResponseSchema = z.object({
  conversationId: z.string(),
  messageId: z.string(),
  answered: z.boolean(),
  answer: z.string(),
  citations: z.array(CitationSchema),
  suggestions: z.array(z.string()),
  mode: z.enum(['extractive', 'generative']),
  /** a clarifying question back: `answer` asks, `suggestions` holds the choices; not queued for staff */
  clarify: z.boolean().optional(),
  /** answered, but the sources support it only in part: the asker is told to check them */
  uncertain: z.boolean().optional(),
});
export type ChatResponse = z.infer<typeof ChatResponseSchema>;

/** One SSE `delta` event of a streamed answer. */
export const ChatDeltaSchema = z.object({ text: z.string() });
export type ChatDelta = z.infer<typeof ChatDeltaSchema>;

export const FeedbackRequestSchema = z.object({
  messageId: z.string().min(1).max(100),
  helpful: z.boolean(),
  comment: z.string().max(2000).optional().nullable(),
});
export type FeedbackRequest = z.infer<typeof FeedbackRequestSchema>;

/** Every error body: `{ error: { code, message } }`, the message in Vietnamese. */
export const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

// ——— the quiz (`/api/quiz/*`, server/quiz/README.md) ———

export const QuizOptionSchema = z.object({ id: z.string(), text: z.string() });
export type QuizOption = z.infer<typeof QuizOptionSchema>;

/** A question as a student sees it before answering: no answer, no explanation. */
export const QuizQuestionSchema = z.object({
  id: z.string(),
  topic: z.string(),
  difficulty: z.string(),
  question: z.string(),
  options: z.array(QuizOptionSchema),
});
export type QuizQuestion = z.infer<typeof QuizQuestionSchema>;

export const QuizTopicSchema = z.object({ id: z.string(), label: z.string(), count: z.number() });
export type QuizTopic = z.infer<typeof QuizTopicSchema>;

/** `GET /api/quiz/topics` */
export const QuizTopicsResponseSchema = z.object({ topics: z.array(QuizTopicSchema) });
export type QuizTopicsResponse = z.infer<typeof QuizTopicsResponseSchema>;

/** `GET /api/quiz?topic=&n=` */
export const QuizRoundResponseSchema = z.object({ topic: z.object({ id: z.string(), label: z.string() }), questions: z.array(QuizQuestionSchema) });
export type QuizRoundResponse = z.infer<typeof QuizRoundResponseSchema>;

/** `POST /api/quiz/answer` */
export const QuizAnswerRequestSchema = z.object({
  questionId: z.string().min(1).max(100),
  choice: z.string().min(1).max(100),
});
export type QuizAnswerRequest = z.infer<typeof QuizAnswerRequestSchema>;

export const QuizCheckedSchema = z.object({
  correct: z.boolean(),
  correctChoice: z.string(),
  explanation: z.string(),
  source: z.object({ title: z.string(), section: z.string(), url: z.string() }),
});
export type QuizChecked = z.infer<typeof QuizCheckedSchema>;

/** The most questions a round may have (`n`, and `total` of a finished round). */
export const MAX_ROUND_SIZE = 10;

/** `POST /api/quiz/round-complete` */
export const RoundCompleteRequestSchema = z
  .object({
    topic: z.string().max(100),
    score: z.number().int().min(0).max(MAX_ROUND_SIZE),
    total: z.number().int().min(1).max(MAX_ROUND_SIZE),
  })
  .refine((b) => b.score <= b.total, { path: ['score'] });
export type RoundCompleteRequest = z.infer<typeof RoundCompleteRequestSchema>;
