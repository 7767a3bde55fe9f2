import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Citation, Failure } from './answer-stream.ts';

export interface Question {
  role: 'user';
  id: string;
  text: string;
}

export interface Reply {
  role: 'assistant';
  id: string;
  /** the question this replies to, for "Thử lại" */
  question: string;
  status: 'streaming' | 'done' | 'stopped' | 'failed';
  text: string;
  messageId?: string;
  answered?: boolean;
  citations?: Citation[];
  suggestions?: string[];
  failure?: Failure;
  feedback?: 'up' | 'down';
  uncertain?: boolean;
  clarify?: boolean;
}

export type Turn = Question | Reply;

export interface Saved {
  conversationId?: string;
  turns: Turn[];
}

const PRIVACY_KEY = 'cnsh-chat:privacy-seen';

let counter = 0;
/** Local ids only key the transcript; crypto.randomUUID needs a secure context the host page may not have. */
export const localId = () => `t${Date.now().toString(36)}${(counter++).toString(36)}`;

/**
 * The conversation of this tab, kept in sessionStorage and nowhere else (no cookies, no localStorage).
 * A storage that throws (private mode, quota) degrades to memory only.
 */
export class ConversationStore implements ReactiveController {
  turns: Turn[] = [];
  conversationId: string | undefined;
  privacySeen = false;

  constructor(
    private host: ReactiveControllerHost,
    private key: () => string,
  ) {
    host.addController(this);
  }

  #loadedKey: string | null = null;

  /** Loads before each render whose key (api-base, audience) differs from the one loaded. */
  hostUpdate() {
    const key = this.key();
    if (key === this.#loadedKey) return;
    this.#loadedKey = key;
    try {
      const saved = JSON.parse(sessionStorage.getItem(key) ?? 'null') as Saved | null;
      this.conversationId = saved?.conversationId;
      // a reply still streaming when the page was left can only be asked again
      this.turns = (saved?.turns ?? []).map((t) =>
        t.role === 'assistant' && t.status === 'streaming' ? { ...t, status: 'failed', failure: { kind: 'interrupted' } } : t,
      );
      this.privacySeen = sessionStorage.getItem(PRIVACY_KEY) === '1';
    } catch {
      this.turns = [];
    }
  }

  #write(key: string, value: string | null) {
    try {
      if (value === null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, value);
    } catch {
      // storage unavailable: the conversation lives in memory for this page only
    }
  }

  save() {
    this.#write(this.key(), JSON.stringify({ conversationId: this.conversationId, turns: this.turns } satisfies Saved));
    this.host.requestUpdate();
  }

  add(turn: Turn) {
    this.turns = [...this.turns, turn];
    this.save();
  }

  update(id: string, patch: Partial<Reply>) {
    this.turns = this.turns.map((t) => (t.id === id && t.role === 'assistant' ? { ...t, ...patch } : t));
    this.save();
  }

  remove(id: string) {
    this.turns = this.turns.filter((t) => t.id !== id);
    this.save();
  }

  /** Empties the conversation; returns it, so "Hoàn tác" can bring it back. */
  clear(): Saved {
    const before = { conversationId: this.conversationId, turns: this.turns };
    this.turns = [];
    this.conversationId = undefined;
    this.#write(this.key(), null);
    this.host.requestUpdate();
    return before;
  }

  restore(saved: Saved) {
    this.turns = saved.turns;
    this.conversationId = saved.conversationId;
    this.save();
  }

  acknowledgePrivacy() {
    this.privacySeen = true;
    this.#write(PRIVACY_KEY, '1');
    this.host.requestUpdate();
  }
}
