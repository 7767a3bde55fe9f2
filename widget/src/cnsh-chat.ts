import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { AnswerStream, type Citation, type Failure } from './answer-stream.ts';
import { ConversationStore, localId, type Reply, type Saved, type Turn } from './conversation-store.ts';
import { glossaryMatcher, loadGlossary, type GlossaryMatcher, type GlossaryTerm } from './glossary.ts';
import { parseBlocks, plainText, renderMarkdown } from './markdown.ts';
import type { QuizView } from './quiz.ts';
import { STARTERS, SUBTITLE, T, WELCOME, type Audience } from './strings.ts';
import { styles } from './styles.ts';

/** Where the widget was loaded from: the default server to talk to. */
const SCRIPT_ORIGIN = new URL(import.meta.url).origin;
/** Below this width (or height) the floating panel becomes a full-screen modal dialog. */
const SMALL_SCREEN = '(max-width: 640px), (max-height: 520px)';

/** An answer longer than this is folded after a few lines, with "Xem thêm". */
const FOLD_CHARS = 300;

/** A cited section as GET /api/nguon/<docId>/<anchor> sends it, for the reader. */
interface SectionText {
  title: string;
  section: string;
  text: string;
  url: string;
  basis: { text: string; href: string }[];
}

interface Reader {
  turn: string;
  n: number;
  citation: Citation;
  section?: SectionText;
  failed?: boolean;
}

/** The device's Vietnamese voice, preferring one that runs on the device itself. */
function vietnameseVoice(): SpeechSynthesisVoice | null {
  const voices = globalThis.speechSynthesis?.getVoices?.() ?? [];
  const vi = voices.filter((v) => /^vi(?:[-_]|$)/i.test(v.lang));
  return vi.find((v) => v.localService) ?? vi[0] ?? null;
}

const ICONS = {
  back: 'M15 5l-7 7 7 7',
  speaker: 'M4 9v6h4l5 4V5L8 9H4zm12 0a4 4 0 0 1 0 6m2-9a8 8 0 0 1 0 12',
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
    reader: { state: true },
    expanded: { state: true },
    undo: { state: true },
    privacyOpen: { state: true },
    voice: { state: true },
    speaking: { state: true },
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
  /** a cited section read inside the widget (small screens) */
  declare reader: Reader | null;
  /** long answers the reader unfolded */
  declare expanded: Set<string>;
  /** the conversation just cleared by "Cuộc trò chuyện mới", until undone or a new question */
  declare undo: Saved | null;
  declare privacyOpen: boolean;
  declare voice: SpeechSynthesisVoice | null;
  /** the reply being read aloud */
  declare speaking: string | null;

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
  /** our entries on the page's history (Android Back closes the reader, then the panel), oldest first */
  private pushed: ('panel' | 'reader')[] = [];
  /** a popstate we caused by unwinding our own entries */
  private unwinding = 0;
  /** the reply whose online-voice note is shown (the last one read aloud) */
  private readAloudNote: string | null = null;

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
    this.reader = null;
    this.expanded = new Set();
    this.undo = null;
    this.privacyOpen = false;
    this.voice = null;
    this.speaking = null;
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

  private onVoices = () => {
    this.voice = vietnameseVoice();
  };

  override connectedCallback() {
    super.connectedCallback();
    addEventListener('online', this.onNetwork);
    addEventListener('offline', this.onNetwork);
    addEventListener('popstate', this.onPopState);
    this.onVoices();
    // voices arrive later than the page in Chrome
    globalThis.speechSynthesis?.addEventListener?.('voiceschanged', this.onVoices);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    removeEventListener('online', this.onNetwork);
    removeEventListener('offline', this.onNetwork);
    removeEventListener('popstate', this.onPopState);
    document.removeEventListener('keydown', this.onPageKey);
    globalThis.speechSynthesis?.removeEventListener?.('voiceschanged', this.onVoices);
    if (this.speaking) speechSynthesis.cancel();
    clearInterval(this.ticking);
  }

  private get small() {
    return matchMedia(SMALL_SCREEN).matches;
  }

  /** A state on the page's history that Back pops instead of leaving the page. */
  private pushHistory(kind: 'panel' | 'reader') {
    history.pushState(history.state, '');
    this.pushed.push(kind);
  }

  /** Takes our entries off the history when the panel closes another way than Back. */
  private unwindHistory() {
    if (!this.pushed.length) return;
    this.unwinding++;
    history.go(-this.pushed.length);
    this.pushed = [];
  }

  private onPopState = () => {
    if (this.unwinding) return void this.unwinding--;
    const top = this.pushed.pop();
    if (top === 'reader') this.closeReader(false);
    else if (top === 'panel') this.hide();
  };

  /** Esc closes the floating panel even after focus has left it for the page. */
  private onPageKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.defaultPrevented || !this.open) return;
    this.hide();
  };

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
    if (dialog && !dialog.open) {
      if (this.small) {
        dialog.showModal();
        this.pushHistory('panel');
      } else dialog.show();
      document.addEventListener('keydown', this.onPageKey);
    }
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
    this.reader = null;
    document.removeEventListener('keydown', this.onPageKey);
    this.unwindHistory();
    this.$<HTMLElement>('.launcher')?.focus();
    this.dispatchEvent(new CustomEvent('cnsh-toggle', { detail: { open: false }, bubbles: true, composed: true }));
  };

  private onDialogKey = (e: KeyboardEvent) => {
    if (e.key === 'Tab') return this.keepFocusInside(e);
    if (e.key !== 'Escape') return;
    e.preventDefault();
    // in the reader, Esc goes back to the conversation first
    if (this.reader) this.closeReader();
    else this.hide();
  };

  /** Tab past the panel's last control comes back to its first: focus never slips behind the panel. */
  private keepFocusInside(e: KeyboardEvent) {
    const dialog = this.$<HTMLDialogElement>('dialog');
    if (!dialog) return;
    const all = [...dialog.querySelectorAll<HTMLElement>('button, a[href], textarea, input, select, summary, [tabindex="0"]')].filter(
      (el) => !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0,
    );
    const active = (this.renderRoot as ShadowRoot).activeElement;
    const edge = e.shiftKey ? all[0] : all.at(-1);
    if (!edge || (active !== edge && dialog.contains(active))) return;
    e.preventDefault();
    (e.shiftKey ? all.at(-1) : all[0])?.focus();
  }

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

  private newConversation = async () => {
    this.generation++;
    this.stream.stop();
    this.stopReading();
    const cleared = this.store.clear();
    this.undo = cleared.turns.length ? cleared : null;
    this.drafts = {};
    this.openTerm = null;
    this.announce(T.cleared);
    await this.updateComplete;
    // the way back is right there, and the keyboard is not raised over it on a phone
    this.$<HTMLElement>(this.undo ? '.undo button' : '#q')?.focus();
  };

  private undoClear = async () => {
    if (!this.undo) return;
    this.store.restore(this.undo);
    this.undo = null;
    this.announce(T.restored);
    await this.updateComplete;
    this.$<HTMLElement>('.log')?.focus();
  };

  /** Asks the server and records the outcome; `again` re-asks a question already in the transcript. */
  async ask(question: string, again = false) {
    const message = question.trim().slice(0, 1500);
    if (!message || this.stream.busy) return;
    const store = this.store;
    const generation = this.generation;
    if (!store.privacySeen) store.acknowledgePrivacy();
    this.undo = null;
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
        uncertain: r.uncertain === true,
        clarify: r.clarify === true,
      });
      // the caution is heard first, as it is seen first
      this.announce(`${r.uncertain ? `${T.uncertain} ` : ''}${T.answerAnnounce(plainText(r.answer), r.citations.length)}`);
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

  /** On a small screen a citation opens here, in a reader with a way back, instead of in another tab. */
  private async openReader(e: Event, turn: string, n: number, citation: Citation) {
    if (!this.small) return;
    e.preventDefault();
    this.stopReading();
    this.reader = { turn, n, citation };
    this.pushHistory('reader');
    const anchor = decodeURIComponent(new URL(citation.url ?? '', `${this.base}/`).hash.slice(1));
    const section = await fetch(`${this.base}/api/nguon/${encodeURIComponent(citation.docId)}/${encodeURIComponent(anchor)}`, { credentials: 'omit' })
      .then((r) => (r.ok ? (r.json() as Promise<SectionText>) : null))
      .catch(() => null);
    if (this.reader?.citation !== citation) return;
    this.reader = section ? { ...this.reader, section } : { ...this.reader, failed: true };
    await this.updateComplete;
    const mark = this.$<HTMLElement>('.reader mark');
    mark?.scrollIntoView({ block: 'center' });
    this.$<HTMLElement>('.reader h3')?.focus();
  }

  /** `viaHistory`: false when Back already took our history entry off. */
  private async closeReader(viaHistory = true) {
    const r = this.reader;
    if (!r) return;
    this.reader = null;
    if (viaHistory && this.pushed.at(-1) === 'reader') {
      this.pushed.pop();
      this.unwinding++;
      history.back();
    }
    await this.updateComplete;
    this.$<HTMLElement>(`#c-${r.turn}-${r.n} a`)?.focus();
  }

  private stopReading() {
    if (this.speaking) globalThis.speechSynthesis?.cancel();
    this.speaking = null;
  }

  /** "Đọc": the answer in the device's Vietnamese voice; pressed again, silence. */
  private async readAloud(t: Reply) {
    const voice = this.voice;
    if (this.speaking === t.id || !voice) return this.stopReading();
    this.speaking = t.id;
    this.readAloudNote = t.id;
    const { speak } = await import('./speech.ts');
    if (this.speaking !== t.id) return;
    speak(speechSynthesis, voice, plainText(t.text), () => {
      if (this.speaking === t.id) this.speaking = null;
    });
  }

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
        ${turns.length && !quiz && !this.reader
          ? html`<button class="new" aria-label=${T.newChat} @click=${this.newConversation}>${icon(ICONS.plus)}<span>${T.newChatShort}</span></button>`
          : nothing}
        ${this.inline ? nothing : html`<button class="x" aria-label=${T.close} title=${T.close} @click=${() => this.hide()}>${icon(ICONS.close)}</button>`}
      </div>
      ${student && !this.reader ? this.tabs() : nothing}
      ${this.reader ? this.readerView(this.reader) : quiz ? this.quizPanel() : this.conversation(student)}
      <div class="sr" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>`;
  }

  /** The cited section inside the widget: its words, the cited passage marked, and a way back. */
  private readerView(r: Reader) {
    const s = r.section;
    const cited = r.citation.snippet
      .replace(/\s*\[\d{1,2}\]/g, '')
      .split(/\n|(?<=[.!?…;:])\s+/)
      .map((x) => x.replace(/^\s*[-*•]\s+/, '').replace(/…$/, '').trim().slice(0, 40))
      .filter((x) => x.length >= 12);
    const full = new URL(r.citation.url ?? s?.url ?? '', `${this.base}/`).href;
    return html`<div class="view reader" part="reader">
      <div class="rd-bar"><button class="btn ghost" @click=${() => this.closeReader()}>${icon(ICONS.back)}${T.back}</button></div>
      <div class="rd-body">
        <p class="kicker">${s?.title ?? r.citation.title}</p>
        <h3 tabindex="-1">${s?.section ?? r.citation.section}</h3>
        ${s
          ? parseBlocks(s.text).map((b) => {
              const lines = b.list ? b.items : [b.text];
              const mark = (line: string) => (cited.some((c) => line.includes(c)) ? html`<mark><span class="sr">${T.readerCited}: </span>${line}</mark>` : line);
              return b.list ? html`<ul>${lines.map((l) => html`<li>${mark(l)}</li>`)}</ul>` : html`<p>${mark(b.text)}</p>`;
            })
          : r.failed
            ? html`<p class="state error msg" part="error">${T.readerFailed}</p>`
            : html`<p class="state dots" role="status">${T.readerLoading}</p>`}
        ${s?.basis.length
          ? html`<p class="basis">${T.basis} ${s.basis.map((b, i) => html`${i ? '; ' : ''}<a href=${new URL(b.href, `${this.base}/`).href} target="_blank" rel="noopener">${b.text}</a>`)}</p>`
          : nothing}
        <p><a href=${full} target="_blank" rel="noopener">${T.readerFull}<span class="sr">${T.newTab}</span></a></p>
      </div>
    </div>`;
  }

  private conversation(student: boolean) {
    const { turns, privacySeen } = this.store;
    const busy = this.stream.busy;
    const privacy = `${this.base}/quyen-rieng-tu`;
    return html`<div class="view" role=${student ? 'tabpanel' : nothing} id=${student ? 'panel-chat' : nothing} aria-labelledby=${student ? 'tab-chat' : nothing}>
      ${privacySeen
        ? nothing
        : html`<div class="notice" part="privacy" role="note" aria-label=${T.privacyTitle}>
            <p>${T.privacyShort}</p>
            <div class="row">
              <button class="link" aria-expanded=${String(this.privacyOpen)} aria-controls="privacy-full" @click=${() => (this.privacyOpen = !this.privacyOpen)}>
                ${T.privacyDetails}
              </button>
              <button class="btn" @click=${() => this.store.acknowledgePrivacy()}>${T.privacyOk}</button>
            </div>
            <p id="privacy-full" ?hidden=${!this.privacyOpen}>${T.privacy} <a href=${privacy} target="_blank" rel="noopener">${T.privacyMore}<span class="sr">${T.newTab}</span></a></p>
          </div>`}
      ${this.online ? nothing : html`<p class="offline">${T.offline}</p>`}
      ${this.undo
        ? html`<p class="undo" part="undo">${T.cleared} <button class="btn ghost" @click=${this.undoClear}>${T.undo}</button></p>`
        : nothing}
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
      <p class="foot">${T.footer} <a href=${privacy} target="_blank" rel="noopener">${T.privacyLink}<span class="sr">${T.newTab}</span></a></p>
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

  private toggleFold(id: string) {
    const next = new Set(this.expanded);
    if (!next.delete(id)) next.add(id);
    this.expanded = next;
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
    const foldable = done && text.length > FOLD_CHARS;
    const folded = foldable && !this.expanded.has(t.id);
    const unsure = done && t.answered && t.uncertain;
    return html`<div class="msg bot ${t.answered === false && !t.clarify ? 'declined' : ''} ${unsure ? 'unsure' : ''}" part="message bot-message" aria-busy=${String(streaming)}>
      <span class="sr">${T.bot} </span>
      ${unsure ? html`<p class="caution" part="uncertain">${T.uncertain}</p>` : nothing}
      ${text
        ? html`<div class="body ${folded ? 'folded' : ''}" id="b-${t.id}" @focusin=${() => folded && this.toggleFold(t.id)}>${body}</div>`
        : streaming
          ? html`<p class="dots">${T.thinking}</p>`
          : nothing}
      ${foldable
        ? html`<button class="link fold" aria-expanded=${String(!folded)} aria-controls="b-${t.id}" @click=${() => this.toggleFold(t.id)}>${folded ? T.more : T.less}</button>`
        : nothing}
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
      ${done && t.clarify && last && t.suggestions?.length ? html`<div class="row">${this.chips(T.clarifyChoices, t.suggestions, 'suggestion')}</div>` : nothing}
      ${citations.length ? this.citations(t, citations) : nothing}
      ${done && t.answered && this.voice ? this.readButton(t) : nothing}
      ${done && t.messageId && !t.clarify ? this.feedback(t) : nothing}
      ${done && last && !t.clarify && t.suggestions?.length ? html`<div class="row">${this.chips(T.followUps, t.suggestions, 'suggestion')}</div>` : nothing}
    </div>`;
  }

  private readButton(t: Reply) {
    const reading = this.speaking === t.id;
    return html`<div class="row read">
      <button class="btn ghost" part="read" aria-label=${reading ? T.readStop : T.readLabel} @click=${() => this.readAloud(t)}>
        ${icon(reading ? ICONS.stop : ICONS.speaker)}${reading ? T.readStop : T.read}
      </button>
      ${this.readAloudNote === t.id && this.voice && !this.voice.localService ? html`<span class="note">${T.onlineVoice}</span>` : nothing}
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
              ${url?.startsWith('http')
                ? html`<a href=${url} target="_blank" rel="noopener" @click=${(e: Event) => this.openReader(e, t.id, i + 1, c)}>${name}<span class="sr">${T.newTab}</span></a>`
                : html`<strong>${name}</strong>`}
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
      const pressed = d?.helpful === helpful;
      return html`<button class="thumb ${helpful ? '' : 'down'}" aria-pressed=${String(pressed)} aria-label=${label} title=${label}
        @click=${() => this.draft(t, { helpful })}>${icon(ICONS.thumb)}${pressed ? html`<span class="tick" aria-hidden="true">✓</span>` : nothing}</button>`;
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
