/**
 * "Ôn tập": a round of multiple-choice questions for students, loaded by <cnsh-chat> with a dynamic import()
 * only when a student opens the tab. Built as its own chunk (dist/widget-quiz-<hash>.js), it imports nothing
 * at run time — Lit's `html` comes from the host — so the page never loads a second copy of Lit, whatever
 * URL (`/widget.js?v=…`) loaded the widget. Nothing is stored: the round lives in memory only.
 */
import type { html as litHtml, nothing as litNothing, ReactiveController, ReactiveControllerHost, TemplateResult } from 'lit';
import type { QuizChecked, QuizQuestion, QuizRoundResponse, QuizTopic, QuizTopicsResponse } from '../../server/contract.ts';

/** The quiz API's shapes are the server's own (server/contract.ts), imported as types only. */
export type { QuizChecked, QuizOption, QuizQuestion, QuizTopic } from '../../server/contract.ts';

export interface QuizDeps {
  host: ReactiveControllerHost & HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };
  lit: { html: typeof litHtml; nothing: typeof litNothing };
  /** the assistant's server, without a trailing slash */
  base: () => string;
  /** the element's `topic` attribute */
  topic: () => string | undefined;
  announce: (text: string) => void;
}

export interface QuizView {
  /** called each time the student opens the tab */
  open(): void;
  render(): TemplateResult;
}

const ALL = 'tat-ca';
const ROUND_SIZE = 5;

/** Every word the quiz shows (the tab names are in strings.ts, in the main bundle). */
const Q = {
  intro: `Mỗi lượt có ${ROUND_SIZE} câu hỏi trắc nghiệm. Chọn một đáp án rồi bấm “Trả lời” để xem ngay giải thích và nguồn.`,
  chooseTopic: 'Chọn chủ đề để bắt đầu',
  allTopics: 'Tất cả chủ đề',
  count: (n: number) => `${n} câu`,
  privacy: 'Kết quả chỉ hiện trên máy của bạn. Máy chủ chỉ đếm ẩn danh số lượt trả lời đúng, sai của từng câu để giáo viên biết câu nào khó.',
  loadingTopics: 'Đang tải danh sách chủ đề…',
  loading: 'Đang tải câu hỏi…',
  topic: (label: string) => `Chủ đề: ${label}`,
  number: (i: number, n: number) => `Câu ${i}/${n}`,
  answer: 'Trả lời',
  checking: 'Đang kiểm tra…',
  pickFirst: 'Hãy chọn một đáp án trước khi bấm “Trả lời”.',
  right: 'Đúng rồi!',
  wrong: 'Chưa đúng.',
  correctIs: (text: string) => `Đáp án đúng: ${text}`,
  yours: 'Bạn chọn',
  correctMark: 'Đáp án đúng',
  source: 'Nguồn:',
  newTab: ' (mở trong thẻ mới)',
  next: 'Câu tiếp theo',
  seeScore: 'Xem kết quả',
  scoreTitle: 'Kết quả',
  score: (s: number, n: number) => `Bạn trả lời đúng ${s}/${n} câu.`,
  praise: (s: number, n: number) =>
    s === n
      ? 'Xuất sắc! Bạn đã nắm chắc chủ đề này.'
      : s / n >= 0.6
        ? 'Khá tốt! Hãy xem lại giải thích của những câu chưa đúng.'
        : 'Hãy đọc lại các mục nguồn bên dưới rồi làm lại nhé.',
  review: 'Xem lại từng câu',
  reviewRight: 'Đúng',
  reviewWrong: 'Chưa đúng',
  again: 'Làm lại',
  otherTopic: 'Chọn chủ đề khác',
  retry: 'Thử lại',
  offline: 'Bạn đang mất kết nối mạng. Hãy kiểm tra Wi-Fi hoặc 3G/4G rồi thử lại.',
  network: 'Không kết nối được tới máy chủ trợ lý. Vui lòng thử lại sau ít phút.',
  rate: (s: number) => `Bạn thao tác nhanh quá. Vui lòng chờ ${s} giây rồi thử lại.`,
  server: 'Máy chủ đang gặp sự cố. Vui lòng thử lại sau.',
  empty: 'Chủ đề này chưa có câu hỏi.',
};

const STYLES = `
  .quiz { flex: 1; min-height: 0; overflow-y: auto; overscroll-behavior: contain; padding: 14px; display: flex; flex-direction: column; gap: 12px; }
  .quiz p { margin: 0; }
  .quiz h3 { margin: 0; font-size: 17px; line-height: 1.35; }
  .quiz h4 { margin: 8px 0 0; font-size: 15px; }
  .topics { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
  .topics button { width: 100%; display: flex; justify-content: space-between; gap: 8px; text-align: left; padding: 10px 14px; min-height: 44px; border: 1px solid var(--p); border-radius: 10px; background: var(--bg); color: var(--p); font-weight: 600; }
  .topics button span { font-weight: 400; color: var(--mu); white-space: nowrap; }
  .topics button:hover { background: #e6f2ec; }
  .qtopic { font-size: 13px; color: var(--mu); }
  fieldset { margin: 0; padding: 0; border: 0; min-width: 0; }
  legend { padding: 0; margin: 0 0 10px; font-weight: 600; font-size: 16px; line-height: 1.45; }
  legend:focus-visible { outline-offset: 4px; }
  .qn { display: block; font-size: 13px; font-weight: 700; color: var(--mu); letter-spacing: 0.02em; }
  .opt { display: flex; align-items: flex-start; gap: 10px; margin: 0 0 8px; padding: 10px 12px; min-height: 44px; border: 1px solid var(--bd); border-radius: 10px; background: var(--bg); cursor: pointer; line-height: 1.4; }
  .opt input { flex: none; width: 20px; height: 20px; margin: 0; accent-color: var(--p); }
  .opt:has(input:checked) { border-color: var(--p); box-shadow: inset 0 0 0 1px var(--p); }
  fieldset:disabled .opt { cursor: default; }
  .opt.right { border-color: #1e7a43; background: #eaf6ee; box-shadow: inset 0 0 0 1px #1e7a43; }
  .opt.chosen-wrong { border-color: #b3261e; background: #fdeeee; box-shadow: inset 0 0 0 1px #b3261e; }
  .mark { display: block; margin-top: 2px; font-size: 13px; font-weight: 700; }
  .right .mark { color: #15582f; }
  .chosen-wrong .mark { color: #8c1d18; }
  .hint { color: #8c1d18; font-size: 14px; }
  .verdict { font-weight: 700; }
  .feedback-box { padding: 12px; border-radius: 10px; border: 1px solid var(--bd); background: var(--bot); display: grid; gap: 8px; }
  .feedback-box.ok { border-left: 5px solid #1e7a43; }
  .feedback-box.no { border-left: 5px solid #b3261e; }
  .feedback-box:focus-visible, .score h3:focus-visible { outline-offset: 2px; }
  .src { font-size: 14px; }
  .actions { display: flex; flex-wrap: wrap; gap: 8px; }
  .actions .btn, .quiz form > .btn { min-height: 44px; padding: 0 18px; }
  .score-line { font-size: 20px; font-weight: 700; color: var(--p); }
  .review { margin: 0; padding-left: 22px; display: grid; gap: 12px; }
  .review li { display: grid; gap: 4px; }
  .tag { display: inline-block; margin-right: 6px; padding: 0 8px; border-radius: 999px; font-size: 12.5px; font-weight: 700; }
  .tag.ok { background: #eaf6ee; color: #15582f; }
  .tag.no { background: #fdeeee; color: #8c1d18; }
  .small { font-size: 13px; color: var(--mu); }
  @media (forced-colors: active) { .opt.right, .opt.chosen-wrong { border-width: 3px; } }
`;

type Phase = 'topics' | 'loading' | 'asking' | 'done' | 'error';

interface Attempt {
  choice: string;
  checked: QuizChecked;
}

type Call<T> = { ok: true; data: T } | { ok: false; message: string };

function retryAfter(header: string | null): number {
  const s = Number(header);
  return Number.isFinite(s) && s > 0 ? Math.ceil(s) : 30;
}

const offline = () => navigator.onLine === false;

async function call<T>(url: string, init?: RequestInit): Promise<Call<T>> {
  if (offline()) return { ok: false, message: Q.offline };
  let res: Response;
  try {
    res = await fetch(url, { ...init, credentials: 'omit' });
  } catch {
    return { ok: false, message: offline() ? Q.offline : Q.network };
  }
  if (res.status === 429) return { ok: false, message: Q.rate(retryAfter(res.headers.get('retry-after'))) };
  if (res.status === 204) return { ok: true, data: undefined as T };
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return { ok: false, message: Q.server };
  }
  if (res.ok) return { ok: true, data: body as T };
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return { ok: false, message: typeof message === 'string' ? message : Q.server };
}

class QuizRound implements ReactiveController, QuizView {
  private phase: Phase = 'topics';
  private topics: QuizTopic[] | null = null;
  private topicsRequested = false;
  private topicId = ALL;
  private topicLabel = '';
  private questions: QuizQuestion[] = [];
  private index = 0;
  private selected: string | null = null;
  private attempts: (Attempt | undefined)[] = [];
  private checking = false;
  private hint = false;
  private error: { message: string; retry: () => void; otherTopic?: boolean } | null = null;
  private started = false;
  private generation = 0;

  constructor(private deps: QuizDeps) {
    deps.host.addController(this);
    const root = deps.host.renderRoot;
    if (root instanceof ShadowRoot && 'adoptedStyleSheets' in root) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    }
  }

  hostConnected() {}

  private get html() {
    return this.deps.lit.html;
  }
  private update() {
    this.deps.host.requestUpdate();
  }
  private url(path: string) {
    return `${this.deps.base()}/api/quiz${path}`;
  }

  /** Moves focus once the next render is on screen (a new question, the feedback, the score). */
  private async focus(selector: string) {
    await this.deps.host.updateComplete;
    (this.deps.host.renderRoot as ShadowRoot).querySelector<HTMLElement>(selector)?.focus();
  }

  open() {
    if (this.started) return;
    this.started = true;
    const fixed = this.deps.topic()?.trim();
    if (fixed) this.start(fixed);
    else this.showTopics();
  }

  private showTopics = () => {
    this.generation++;
    this.phase = 'topics';
    this.error = null;
    if (!this.topics && !this.topicsRequested) this.loadTopics();
    this.update();
    if (this.topics) this.focus('.topics button');
  };

  private async loadTopics() {
    this.topicsRequested = true;
    const result = await call<QuizTopicsResponse>(this.url('/topics'));
    this.topicsRequested = false;
    if (result.ok) {
      this.topics = result.data.topics;
      this.update();
    } else this.fail(result.message, () => this.showTopics(), false);
  }

  private fail(message: string, retry: () => void, otherTopic = true) {
    this.phase = 'error';
    this.error = { message, retry, otherTopic };
    this.deps.announce(message);
    this.update();
    this.focus('.quiz-error .btn');
  }

  private async start(topic: string) {
    const generation = ++this.generation;
    this.phase = 'loading';
    this.error = null;
    this.update();
    const result = await call<QuizRoundResponse>(
      `${this.url('')}?topic=${encodeURIComponent(topic)}&n=${ROUND_SIZE}`,
    );
    if (generation !== this.generation) return;
    if (!result.ok) return this.fail(result.message, () => this.start(topic));
    if (!result.data.questions.length) return this.fail(Q.empty, this.showTopics);
    this.topicId = result.data.topic.id;
    this.topicLabel = result.data.topic.label;
    this.questions = result.data.questions;
    this.attempts = [];
    this.index = 0;
    this.selected = null;
    this.hint = false;
    this.phase = 'asking';
    this.update();
    this.focus('legend');
  }

  private async submit(e: Event) {
    e.preventDefault();
    const q = this.questions[this.index];
    if (!q || this.checking || this.attempts[this.index]) return;
    if (!this.selected) {
      this.hint = true;
      this.update();
      return;
    }
    const choice = this.selected;
    const generation = this.generation;
    this.checking = true;
    this.update();
    const result = await call<QuizChecked>(this.url('/answer'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ questionId: q.id, choice }),
    });
    this.checking = false;
    if (generation !== this.generation) return;
    if (!result.ok) {
      this.deps.announce(result.message);
      this.error = { message: result.message, retry: () => {} };
      this.update();
      return;
    }
    this.error = null;
    const checked = result.data;
    this.attempts[this.index] = { choice, checked };
    const right = q.options.find((o) => o.id === checked.correctChoice)?.text ?? '';
    this.deps.announce(`${checked.correct ? Q.right : `${Q.wrong} ${Q.correctIs(right)}.`} ${checked.explanation}`);
    this.update();
    this.focus('.feedback-box .btn');
  }

  private next = () => {
    if (this.index < this.questions.length - 1) {
      this.index++;
      this.selected = null;
      this.hint = false;
      this.update();
      this.focus('legend');
      return;
    }
    this.finish();
  };

  private finish() {
    this.phase = 'done';
    const score = this.attempts.filter((a) => a?.checked.correct).length;
    const total = this.questions.length;
    // anonymous: which topic, how many right out of how many; nothing else
    void call(this.url('/round-complete'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ topic: this.topicId, score, total }),
    });
    this.deps.host.dispatchEvent(new CustomEvent('cnsh-quiz-complete', { detail: { topic: this.topicId, score, total }, bubbles: true, composed: true }));
    this.deps.announce(`${Q.score(score, total)} ${Q.praise(score, total)}`);
    this.update();
    this.focus('.score h3');
  }

  render(): TemplateResult {
    const html = this.html;
    const body =
      this.phase === 'topics'
        ? this.renderTopics()
        : this.phase === 'loading'
          ? html`<p class="state" role="status">${Q.loading}</p>`
          : this.phase === 'error'
            ? this.renderError()
            : this.phase === 'done'
              ? this.renderScore()
              : this.renderQuestion();
    return html`<div class="quiz" part="quiz">${body}</div>`;
  }

  private renderTopics() {
    const html = this.html;
    const total = this.topics?.reduce((n, t) => n + t.count, 0) ?? 0;
    return html`<p>${Q.intro}</p>
      ${this.topics
        ? html`<h3 id="quiz-topics">${Q.chooseTopic}</h3>
            <ul class="topics" aria-labelledby="quiz-topics">
              ${this.topics.map(
                (t) => html`<li><button @click=${() => this.start(t.id)}>${t.label}<span>${Q.count(t.count)}</span></button></li>`,
              )}
              <li><button @click=${() => this.start(ALL)}>${Q.allTopics}<span>${Q.count(total)}</span></button></li>
            </ul>`
        : html`<p class="state" role="status">${Q.loadingTopics}</p>`}
      <p class="small">${Q.privacy}</p>`;
  }

  private renderError() {
    const html = this.html;
    const error = this.error;
    return html`<div class="state error msg quiz-error" part="error">
        <p>${error?.message ?? Q.server}</p>
        <button class="btn" @click=${() => error?.retry()}>${Q.retry}</button>
      </div>
      ${error?.otherTopic ? html`<button class="btn ghost" @click=${this.showTopics}>${Q.otherTopic}</button>` : this.deps.lit.nothing}`;
  }

  private renderQuestion() {
    const { html, nothing } = this.deps.lit;
    const q = this.questions[this.index]!;
    const attempt = this.attempts[this.index];
    const n = this.questions.length;
    return html`<p class="qtopic">${Q.topic(this.topicLabel)}</p>
      <form @submit=${(e: Event) => this.submit(e)}>
        <fieldset ?disabled=${!!attempt}>
          <legend tabindex="-1"><span class="qn">${Q.number(this.index + 1, n)}</span>${q.question}</legend>
          ${q.options.map((o) => {
            const right = attempt && o.id === attempt.checked.correctChoice;
            const wrong = attempt && o.id === attempt.choice && !attempt.checked.correct;
            return html`<label class="opt ${right ? 'right' : wrong ? 'chosen-wrong' : ''}">
              <input
                type="radio"
                name="q-${q.id}"
                value=${o.id}
                .checked=${(attempt?.choice ?? this.selected) === o.id}
                @change=${() => {
                  this.selected = o.id;
                  this.hint = false;
                  this.update();
                }}
              />
              <span>${o.text}${right ? html`<span class="mark">${Q.correctMark}</span>` : wrong ? html`<span class="mark">${Q.yours}</span>` : nothing}</span>
            </label>`;
          })}
        </fieldset>
        ${attempt
          ? nothing
          : html`<button class="btn" ?disabled=${this.checking}>${this.checking ? Q.checking : Q.answer}</button>
              ${this.hint ? html`<p class="hint" role="alert">${Q.pickFirst}</p>` : nothing}
              ${this.error ? html`<p class="hint" role="alert">${this.error.message}</p>` : nothing}`}
      </form>
      ${attempt ? this.renderFeedback(q, attempt, this.index === n - 1) : nothing}`;
  }

  private sourceLink(source: QuizChecked['source']) {
    const html = this.html;
    const href = new URL(source.url, `${this.deps.base()}/`).href;
    return html`<p class="src">
      ${Q.source}
      ${href.startsWith('http')
        ? html`<a href=${href} target="_blank" rel="noopener">${source.title} — ${source.section}<span class="sr">${Q.newTab}</span></a>`
        : html`${source.title} — ${source.section}`}
    </p>`;
  }

  private renderFeedback(q: QuizQuestion, attempt: Attempt, last: boolean) {
    const html = this.html;
    const { correct, correctChoice, explanation, source } = attempt.checked;
    const right = q.options.find((o) => o.id === correctChoice)?.text ?? '';
    return html`<div class="feedback-box ${correct ? 'ok' : 'no'}" part="quiz-feedback">
      <p class="verdict">${correct ? Q.right : html`${Q.wrong} ${Q.correctIs(right)}`}</p>
      <p>${explanation}</p>
      ${this.sourceLink(source)}
      <div class="actions"><button class="btn" @click=${this.next}>${last ? Q.seeScore : Q.next}</button></div>
    </div>`;
  }

  private renderScore() {
    const html = this.html;
    const score = this.attempts.filter((a) => a?.checked.correct).length;
    const total = this.questions.length;
    return html`<div class="score" part="quiz-score">
      <h3 tabindex="-1">${Q.scoreTitle}: ${score}/${total}</h3>
      <p class="score-line">${Q.score(score, total)}</p>
      <p>${Q.praise(score, total)}</p>
      <div class="actions">
        <button class="btn" @click=${() => this.start(this.topicId)}>${Q.again}</button>
        <button class="btn ghost" @click=${this.showTopics}>${Q.otherTopic}</button>
      </div>
      <h4>${Q.review}</h4>
      <ol class="review">
        ${this.questions.map((q, i) => {
          const a = this.attempts[i];
          const right = q.options.find((o) => o.id === a?.checked.correctChoice)?.text ?? '';
          return html`<li>
            <p><span class="tag ${a?.checked.correct ? 'ok' : 'no'}">${a?.checked.correct ? Q.reviewRight : Q.reviewWrong}</span>${q.question}</p>
            <p>${Q.correctIs(right)}</p>
            ${a ? html`<p>${a.checked.explanation}</p>${this.sourceLink(a.checked.source)}` : this.deps.lit.nothing}
          </li>`;
        })}
      </ol>
    </div>`;
  }
}

export function createQuiz(deps: QuizDeps): QuizView {
  return new QuizRound(deps);
}
