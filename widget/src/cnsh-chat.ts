import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { AnswerStream, type Citation, type Failure } from './answer-stream.ts';
import { ConversationStore, localId, type Reply, type Turn } from './conversation-store.ts';
import { glossaryMatcher, loadGlossary, type GlossaryMatcher, type GlossaryTerm } from './glossary.ts';
import { plainText, renderMarkdown } from './markdown.ts';
import type { QuizView } from './quiz.ts';
import { STARTERS, SUBTITLE, T, WELCOME, type Audience } from './strings.ts';
import { styles } from './styles.ts';

/** Where the widget was loaded from: the default server to talk to. */
const SCRIPT_ORIGIN = new URL(import.meta.url).origin;
/** Below this width (or height) the floating panel becomes a full-screen modal dialog. */
const SMALL_SCREEN = '(max-width: 640px), (max-height: 520px)';

const ICONS = {
  chat: 'M21 11.5a8.4 8.4 0 0 1-12.2 7.5L3 21l2-5.6A8.4 8.4 0 1 1 21 11.5z',
  close: 'M6 6l12 12M18 6L6 18',
  plus: 'M12 5v14M5 12h14',
  send: 'M5 12h13M13 6l6 6-6 6',
  stop: 'M7 7h10v10H7z',
  thumb: 'M7 10v10H4V10h3zm0 0 4-7c1.4 0 2.5 1.1 2.5 2.5V9h5a2 2 0 0 1 2 2.3l-1.3 6.9A2 2 0 0 1 17.2 20H7',
};
const icon = (d: string) => html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d=${d}></path></svg>`;

function failureText(f: Failure, now: number): string {
  switch (f.kind) {
    case 'offline':
      return T.offline;
    case 'network':
      return T.network;
    case 'interrupted':
      return T.interrupted;
    case 'rate': {
      const wait = Math.ceil(((f.retryAt ?? 0) - now) / 1000);
      return wait > 0 ? T.rateWait(wait) : T.rateReady;
    }
    default:
      return f.message ?? T.server;
  }
}

/**
 * `<cnsh-chat>`: the assistant as a floating launcher and panel (portal) or inline (school page).
 * Attributes in shared/CONTRACT.md: api-base, audience, mode, site; and `topic`, the topic of the students'
 * practice rounds ("Ôn tập", a tab shown only with audience="student").
 * Events out: `cnsh-toggle`, `cnsh-answer`, `cnsh-quiz-complete`.
 */
export class CnshChat extends LitElement {
  static override styles = styles;
  static override properties = {
    apiBase: { attribute: 'api-base' },
    audience: {},
    mode: {},
    site: {},
    topic: {},
    open: { state: true },
    tab: { state: true },
    quizState: { state: true },
    online: { state: true },
    now: { state: true },
    announcement: { state: true },
    glossary: { state: true },
    openTerm: { state: true },
    drafts: { state: true },
  };

  declare apiBase: string | undefined;
  declare audience: string;
  declare mode: string;
  declare site: string | undefined;
  declare topic: string | undefined;
  declare open: boolean;
  declare tab: 'chat' | 'quiz';
  declare quizState: 'idle' | 'loading' | 'failed';
  declare online: boolean;
  declare now: number;
  declare announcement: string;
  declare glossary: GlossaryMatcher | null;
  declare openTerm: { turn: string; entry: GlossaryTerm } | null;
  declare drafts: Record<string, { helpful: boolean; comment: string; failed?: boolean }>;

  private stream = new AnswerStream(this);
  private store = new ConversationStore(this, () => `cnsh-chat:${this.base}:${this.aud}`);
  private generation = 0;
  private glossaryRequested = false;
  private ticking: ReturnType<typeof setInterval> | undefined;
  private followBottom = true;
  /** a new question was asked: bring it into view whatever the reader's scroll position */
  private scrollToNew = false;
  /** the quiz chunk, imported the first time a student opens Ôn tập */
  private quiz: QuizView | null = null;

  constructor() {
    super();
    this.audience = 'citizen';
    this.mode = 'floating';
    this.open = false;
    this.tab = 'chat';
    this.quizState = 'idle';
    this.online = navigator.onLine !== false;
    this.now = Date.now();
    this.announcement = '';
    this.glossary = null;
    this.openTerm = null;
    this.drafts = {};
  }

  /** quiet time after which "đang chậm" is shown (ms) */
  get slowAfterMs() {
    return this.stream.slowAfterMs;
  }
  set slowAfterMs(ms: number) {
    this.stream.slowAfterMs = ms;
  }

  private get base() {
    return (this.apiBase || SCRIPT_ORIGIN).replace(/\/+$/, '');
  }
  private get aud(): Audience {
    return this.audience === 'student' ? 'student' : 'citizen';
  }
  private get inline() {
    return this.mode === 'inline';
  }
  private $<E extends Element>(selector: string) {
    return this.renderRoot.querySelector<E>(selector);
  }

  private onNetwork = () => {
    this.online = navigator.onLine !== false;
  };

  override connectedCallback() {
    super.connectedCallback();
    addEventListener('online', this.onNetwork);
    addEventListener('offline', this.onNetwork);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    removeEventListener('online', this.onNetwork);
    removeEventListener('offline', this.onNetwork);
    clearInterval(this.ticking);
  }

  override willUpdate() {
    const log = this.$<HTMLElement>('.log');
    this.followBottom = this.scrollToNew || !log || log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    this.scrollToNew = false;
  }

  override updated() {
    const log = this.$<HTMLElement>('.log');
    if (log && this.followBottom) {
      // follow the answer as it grows, but never past its question: a long answer is read from the top
      const last = log.lastElementChild as HTMLElement | null;
      const start = last?.classList.contains('bot') ? ((last.previousElementSibling as HTMLElement | null) ?? last) : null;
      const bottom = log.scrollHeight - log.clientHeight;
      log.scrollTop = start ? Math.min(bottom, start.offsetTop - 8) : bottom;
    }
    if (this.aud === 'student' && !this.glossaryRequested && this.store.turns.some((t) => t.role === 'assistant' && t.status === 'done'))
      this.loadTerms();
    const waiting = this.store.turns.some((t) => t.role === 'assistant' && t.failure?.kind === 'rate' && (t.failure.retryAt ?? 0) > this.now);
    if (waiting && !this.ticking) this.ticking = setInterval(() => (this.now = Date.now()), 1000);
    if (!waiting && this.ticking) this.ticking = void clearInterval(this.ticking);
  }

  private loadTerms() {
    this.glossaryRequested = true;
    loadGlossary(this.base).then((terms) => {
      if (terms.length) this.glossary = glossaryMatcher(terms);
      else this.glossaryRequested = false;
    });
  }

  private announce(text: string) {
    this.announcement = '';
    // cleared first so the same sentence twice is still read twice
    setTimeout(() => (this.announcement = text), 100);
  }

  async show() {
    this.open = true;
    await this.updateComplete;
    const dialog = this.$<HTMLDialogElement>('dialog');
    if (dialog && !dialog.open) matchMedia(SMALL_SCREEN).matches ? dialog.showModal() : dialog.show();
    // on a touch screen, focusing the input would raise the keyboard over the privacy notice and starters
    // a student left on Ôn tập finds the tab again rather than nothing focused
    (this.$<HTMLElement>(matchMedia('(pointer: coarse)').matches ? '.log' : '#q') ?? this.$<HTMLElement>('[aria-selected="true"]'))?.focus();
    this.dispatchEvent(new CustomEvent('cnsh-toggle', { detail: { open: true }, bubbles: true, composed: true }));
  }

  hide() {
    this.$<HTMLDialogElement>('dialog')?.close();
  }

  private onClosed = () => {
    this.open = false;
    this.$<HTMLElement>('.launcher')?.focus();
    this.dispatchEvent(new CustomEvent('cnsh-toggle', { detail: { open: false }, bubbles: true, composed: true }));
  };

  private onDialogKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    this.hide();
  };

  private selectTab(tab: 'chat' | 'quiz', focus = false) {
    this.tab = tab;
    if (tab === 'quiz') this.openQuiz();
    if (focus) this.updateComplete.then(() => this.$<HTMLElement>(`#tab-${tab}`)?.focus());
  }

  private onTabKey = (e: KeyboardEvent) => {
    const keys: Record<string, 'chat' | 'quiz'> = { ArrowLeft: 'chat', ArrowRight: 'quiz', Home: 'chat', End: 'quiz' };
    const to = keys[e.key];
    if (!to) return;
    e.preventDefault();
    this.selectTab(to, true);
  };

  private async openQuiz() {
    if (this.quiz) return this.quiz.open();
    if (this.quizState === 'loading') return;
    this.quizState = 'loading';
    try {
      const { createQuiz } = await import('./quiz.ts');
      this.quiz = createQuiz({
        host: this,
        lit: { html, nothing },
        base: () => this.base,
        topic: () => this.topic,
        announce: (text) => this.announce(text),
      });
      this.quizState = 'idle';
      this.quiz.open();
    } catch {
      // offline when the chunk was needed: the student can try again
      this.quizState = 'failed';
      this.announce(T.quizFailed);
    }
  }

  private newConversation = () => {
    this.generation++;
    this.stream.stop();
    this.store.clear();
    this.drafts = {};
    this.openTerm = null;
    this.$<HTMLTextAreaElement>('#q')?.focus();
  };

  /** Asks the server and records the outcome; `again` re-asks a question already in the transcript. */
  async ask(question: string, again = false) {
    const message = question.trim().slice(0, 1500);
    if (!message || this.stream.busy) return;
    const store = this.store;
    const generation = this.generation;
    if (!store.privacySeen) store.acknowledgePrivacy();
    if (!again) store.add({ role: 'user', id: localId(), text: message });
    const id = localId();
    store.add({ role: 'assistant', id, question: message, status: 'streaming', text: '' });
    this.scrollToNew = true;
    // the button that asked (a starter, "Thử lại") disappears: keep focus in the conversation
    if (this.renderRoot instanceof ShadowRoot && this.renderRoot.activeElement?.id !== 'q') this.$<HTMLElement>('.log')?.focus();
    const outcome = await this.stream.ask(`${this.base}/api/chat`, {
      message,
      conversationId: store.conversationId,
      audience: this.aud,
      site: this.site || undefined,
    });
    if (generation !== this.generation) return;
    if (outcome.kind === 'done') {
      const r = outcome.response;
      store.conversationId = r.conversationId;
      store.update(id, {
        status: 'done',
        text: r.answer,
        messageId: r.messageId,
        answered: r.answered,
        citations: r.citations,
        suggestions: r.suggestions,
      });
      this.announce(T.answerAnnounce(plainText(r.answer), r.citations.length));
      this.dispatchEvent(new CustomEvent('cnsh-answer', { detail: { messageId: r.messageId, answered: r.answered }, bubbles: true, composed: true }));
    } else if (outcome.kind === 'stopped') {
      store.update(id, { status: 'stopped', text: outcome.text });
      this.announce(T.stopped);
    } else {
      store.update(id, { status: 'failed', text: outcome.text, failure: outcome.failure });
      this.now = Date.now();
      this.announce(failureText(outcome.failure, this.now));
    }
  }

  private retry(t: Reply) {
    if (this.stream.busy) return;
    this.store.remove(t.id);
    this.ask(t.question, true);
  }

  private submit = (e?: Event) => {
    e?.preventDefault();
    const input = this.$<HTMLTextAreaElement>('#q');
    if (!input || this.stream.busy || !input.value.trim()) return;
    const text = input.value;
    input.value = '';
    this.ask(text);
  };

  private onInputKey = (e: KeyboardEvent) => {
    // isComposing: Vietnamese input methods (Telex, VNI) use Enter while composing
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) this.submit(e);
  };

  private stop = () => {
    this.stream.stop();
    this.$<HTMLTextAreaElement>('#q')?.focus();
  };

  private showCitation(turn: string, n: number) {
    const item = this.$<HTMLElement>(`#c-${turn}-${n}`);
    const details = item?.querySelector('details');
    if (details) details.open = true;
    item?.querySelector('a')?.focus();
  }

  private toggleTerm(turn: string, entry: GlossaryTerm) {
    const same = this.openTerm?.turn === turn && this.openTerm.entry === entry;
    this.openTerm = same ? null : { turn, entry };
    if (!same) this.announce(`${entry.term}: ${entry.definition}`);
  }

  private closeTerm = async () => {
    const button = this.$<HTMLElement>('.term[aria-expanded="true"]');
    this.openTerm = null;
    await this.updateComplete;
    button?.focus();
  };

  private draft(t: Reply, patch: Partial<{ helpful: boolean; comment: string; failed: boolean }> | null) {
    const { [t.id]: current, ...rest } = this.drafts;
    this.drafts = patch ? { ...rest, [t.id]: { helpful: true, comment: '', ...current, ...patch } } : rest;
  }

  private async sendFeedback(t: Reply, e: Event) {
    e.preventDefault();
    const d = this.drafts[t.id];
    if (!d || !t.messageId) return;
    const ok = await fetch(`${this.base}/api/feedback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ messageId: t.messageId, helpful: d.helpful, comment: d.comment.trim() || undefined }),
      credentials: 'omit',
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (!ok) return this.draft(t, { failed: true });
    this.draft(t, null);
    this.store.update(t.id, { feedback: d.helpful ? 'up' : 'down' });
    await this.updateComplete;
    this.$<HTMLElement>(`#f-${t.id}`)?.focus();
  }

  override render() {
    if (this.inline) return html`<section class="panel inline" part="panel" aria-labelledby="t">${this.panel()}</section>`;
    return html`<button class="launcher" part="launcher" aria-haspopup="dialog" aria-expanded=${String(this.open)} @click=${() => (this.open ? this.hide() : this.show())}>
        ${icon(ICONS.chat)}${T.launcher}
      </button>
      <dialog class="panel" part="panel" aria-labelledby="t" @keydown=${this.onDialogKey} @close=${this.onClosed}>${this.open ? this.panel() : nothing}</dialog>`;
  }

  /** Students get two tabs, "Hỏi đáp" and "Ôn tập"; everyone else only the conversation. */
  private tabs() {
    const tab = (id: 'chat' | 'quiz', label: string) => {
      const selected = this.tab === id;
      return html`<button role="tab" id="tab-${id}" class="tab" part="tab" aria-selected=${String(selected)} aria-controls=${selected ? `panel-${id}` : nothing}
        tabindex=${selected ? 0 : -1} @click=${() => this.selectTab(id)} @keydown=${this.onTabKey}>${label}</button>`;
    };
    return html`<div class="tabs" role="tablist" aria-label=${T.tabs}>${tab('chat', T.tabChat)}${tab('quiz', T.tabQuiz)}</div>`;
  }

  private quizPanel() {
    return html`<div class="view" role="tabpanel" id="panel-quiz" aria-labelledby="tab-quiz">
      ${this.quiz
        ? this.quiz.render()
        : this.quizState === 'failed'
          ? html`<div class="quiz-load state error msg" part="error"><p>${T.quizFailed}</p><button class="btn" @click=${() => this.openQuiz()}>${T.retry}</button></div>`
          : html`<p class="quiz-load state" role="status">${T.quizLoading}</p>`}
    </div>`;
  }

  private panel() {
    const { turns } = this.store;
    const student = this.aud === 'student';
    const quiz = student && this.tab === 'quiz';
    return html`<div class="head" part="header">
        <div class="grow"><h2 id="t">${T.title}</h2><p>${SUBTITLE[this.aud]}</p></div>
        ${turns.length && !quiz ? html`<button class="new" @click=${this.newConversation}>${icon(ICONS.plus)}<span>${T.newChat}</span></button>` : nothing}
        ${this.inline ? nothing : html`<button class="x" aria-label=${T.close} title=${T.close} @click=${() => this.hide()}>${icon(ICONS.close)}</button>`}
      </div>
      ${student ? this.tabs() : nothing}
      ${quiz ? this.quizPanel() : this.conversation(student)}
      <div class="sr" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>`;
  }

  private conversation(student: boolean) {
    const { turns, privacySeen } = this.store;
    const busy = this.stream.busy;
    return html`<div class="view" role=${student ? 'tabpanel' : nothing} id=${student ? 'panel-chat' : nothing} aria-labelledby=${student ? 'tab-chat' : nothing}>
      ${privacySeen
        ? nothing
        : html`<div class="notice" part="privacy" role="note" aria-label=${T.privacyTitle}>
            <p><strong>${T.privacyTitle}:</strong> ${T.privacy} <a href="${this.base}/quyen-rieng-tu" target="_blank" rel="noopener">${T.privacyMore}</a></p>
            <button class="btn" @click=${() => this.store.acknowledgePrivacy()}>${T.privacyOk}</button>
          </div>`}
      ${this.online ? nothing : html`<p class="offline">${T.offline}</p>`}
      <div class="log" part="log" role="log" aria-live="off" aria-label=${T.transcript} tabindex="-1">
        ${turns.length ? turns.map((t, i) => this.turn(t, i === turns.length - 1)) : this.welcome()}
      </div>
      <form class="composer" part="composer" @submit=${this.submit}>
        <label class="sr" for="q">${T.inputLabel}</label>
        <textarea id="q" part="input" rows="1" maxlength="1500" enterkeyhint="send" placeholder=${T.placeholder} @keydown=${this.onInputKey}></textarea>
        ${busy
          ? html`<button type="button" class="btn ghost" part="stop" @click=${this.stop}>${icon(ICONS.stop)}${T.stop}</button>`
          : html`<button class="btn" part="send">${icon(ICONS.send)}${T.send}</button>`}
      </form>
      <p class="foot">${T.footer} <a href="${this.base}/quyen-rieng-tu" target="_blank" rel="noopener">${T.privacyLink}</a></p>
    </div>`;
  }

  private welcome() {
    return html`<div class="msg bot" part="message bot-message"><p class="intro">${WELCOME[this.aud]}</p></div>
      ${this.chips(T.tryAsking, STARTERS[this.aud], 'starter')}`;
  }

  private chips(label: string, questions: string[], part: string) {
    return html`<div>
      <p class="label">${label}</p>
      <ul class="chips">
        ${questions.map((q) => html`<li><button class="chip" part=${part} @click=${() => this.ask(q)}>${q}</button></li>`)}
      </ul>
    </div>`;
  }

  private turn(t: Turn, last: boolean): TemplateResult {
    if (t.role === 'user')
      return html`<div class="msg user" part="message user-message"><span class="sr">${T.you} </span>${t.text}</div>`;
    const streaming = t.status === 'streaming';
    const text = streaming ? this.stream.text : t.text;
    const citations = t.citations ?? [];
    const done = t.status === 'done';
    const body = renderMarkdown(text, {
      origin: new URL(this.base).origin,
      refs: citations.length,
      ref: (n) => html`<sup><button class="ref" aria-label=${T.refLabel(n)} @click=${() => this.showCitation(t.id, n)}>${n}</button></sup>`,
      glossary: done && this.aud === 'student' ? this.glossary : null,
      seen: new Set(),
      term: (entry, word) => {
        const open = this.openTerm?.turn === t.id && this.openTerm.entry === entry;
        return html`<button class="term" aria-expanded=${String(open)} @click=${() => this.toggleTerm(t.id, entry)}>${word}</button>`;
      },
    });
    const term = this.openTerm?.turn === t.id ? this.openTerm.entry : null;
    return html`<div class="msg bot ${t.answered === false ? 'declined' : ''}" part="message bot-message" aria-busy=${String(streaming)}>
      <span class="sr">${T.bot} </span>
      ${text ? body : streaming ? html`<p class="dots">${T.thinking}</p>` : nothing}
      ${term
        ? html`<div class="def" role="note" aria-label=${term.term}>
            <p><strong>${term.term}:</strong> ${term.definition}</p>
            <button class="btn ghost" @click=${this.closeTerm}>${T.defClose}</button>
          </div>`
        : nothing}
      ${streaming && this.stream.slow ? html`<p class="state">${T.slow}</p>` : nothing}
      ${t.status === 'stopped'
        ? html`<div class="row"><span class="state">${T.stopped}</span><button class="btn ghost" @click=${() => this.retry(t)}>${T.askAgain}</button></div>`
        : nothing}
      ${t.status === 'failed' && t.failure ? this.failure(t, t.failure) : nothing}
      ${citations.length ? this.citations(t, citations) : nothing}
      ${done && t.messageId ? this.feedback(t) : nothing}
      ${done && last && t.suggestions?.length ? html`<div class="row">${this.chips(T.followUps, t.suggestions, 'suggestion')}</div>` : nothing}
    </div>`;
  }

  private failure(t: Reply, f: Failure) {
    const waiting = f.kind === 'rate' && (f.retryAt ?? 0) > this.now;
    return html`<div class="state error msg" part="error">
      <p>${failureText(f, this.now)}</p>
      <button class="btn" ?disabled=${waiting} @click=${() => this.retry(t)}>${T.retry}</button>
    </div>`;
  }

  private citations(t: Reply, citations: Citation[]) {
    return html`<div class="cites" part="citations">
      <h3>${T.sources}</h3>
      <ol>
        ${citations.map((c, i) => {
          const url = c.url ? new URL(c.url, `${this.base}/`).href : null;
          const name = c.section && c.section !== c.title ? `${c.title} — ${c.section}` : c.title;
          return html`<li id="c-${t.id}-${i + 1}">
            <span class="num" aria-hidden="true">${i + 1}</span>
            <div>
              <span class="sr">${T.sources} ${i + 1}: </span>
              ${url?.startsWith('http') ? html`<a href=${url} target="_blank" rel="noopener">${name}<span class="sr">${T.newTab}</span></a>` : html`<strong>${name}</strong>`}
              <details>
                <summary>${T.snippet}</summary>
                <blockquote>${c.snippet.replace(/\s*\[\d{1,2}\]/g, '')}</blockquote>
              </details>
            </div>
          </li>`;
        })}
      </ol>
    </div>`;
  }

  private feedback(t: Reply) {
    if (t.feedback) return html`<p class="row feedback" id="f-${t.id}" tabindex="-1">${T.thanks}</p>`;
    const d = this.drafts[t.id];
    const thumb = (helpful: boolean) => {
      const label = helpful ? T.helpful : T.unhelpful;
      return html`<button class="thumb ${helpful ? '' : 'down'}" aria-pressed=${String(d?.helpful === helpful)} aria-label=${label} title=${label}
        @click=${() => this.draft(t, { helpful })}>${icon(ICONS.thumb)}</button>`;
    };
    return html`<div class="row feedback" role="group" aria-label=${T.helpfulQ}>
      <span aria-hidden="true">${T.helpfulQ}</span>${thumb(true)}${thumb(false)}
      ${d
        ? html`<form class="fb" @submit=${(e: Event) => this.sendFeedback(t, e)}>
            <label for="fb-${t.id}">${T.commentLabel}</label>
            <textarea id="fb-${t.id}" maxlength="2000" .value=${d.comment} @input=${(e: Event) => this.draft(t, { comment: (e.target as HTMLTextAreaElement).value })}></textarea>
            <div class="row">
              <button class="btn">${T.sendFeedback}</button>
              <button type="button" class="btn ghost" @click=${() => this.draft(t, null)}>${T.cancel}</button>
            </div>
            ${d.failed ? html`<p class="state error msg">${T.feedbackFailed}</p>` : nothing}
          </form>`
        : nothing}
    </div>`;
  }
}

if (!customElements.get('cnsh-chat')) customElements.define('cnsh-chat', CnshChat);

declare global {
  interface HTMLElementTagNameMap {
    'cnsh-chat': CnshChat;
  }
}
