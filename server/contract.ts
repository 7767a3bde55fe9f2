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
  conversationId: z.string().max(100).regex(/^[\w-]*$/).optional().nullable(),
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
