import { Hono } from 'hono';
import type { Assistant } from '../assistant.ts';
import type { Config } from '../config.ts';
import { fail } from '../http/errors.ts';
import { createRateLimiter } from '../http/guard/rate-limit.ts';
import { DAY_MS } from '../log/retention.ts';
import { createInbox, type Inbox } from './inbox.ts';
import { channelKeys } from './keys.ts';
import { messengerChannel, type MessengerChannel } from './messenger/index.ts';
import { sendDueStaffAnswers } from './staff-answer.ts';
import { zaloChannel, type ZaloChannel } from './zalo/index.ts';
import type { ZaloApiOptions } from './zalo/api.ts';

/**
 * The messenger channels under /kenh: each is on when its variables are set (shared/CONTRACT.md) and answers
 * 404 otherwise. Both hand questions to the same `assistant.ask` as the widget does.
 */
export interface Channels {
  routes: Hono;
  zalo: ZaloChannel | null;
  messenger: MessengerChannel | null;
  inbox: Inbox | null;
  /** PUBLIC_BASE_URL: absolute links in what the channels send */
  baseUrl: string | null;
  /** resolves once every received event is answered */
  idle(): Promise<void>;
  stop(): void;
}

export interface ChannelOptions {
  zalo?: ZaloApiOptions;
  messenger?: { backoffMs?: number[] };
}

/** The channels over `assistant.state`: their tables are migrated (and the Zalo token pair seeded) before it resolves. */
export async function createChannels(assistant: Assistant, config: Config, options: ChannelOptions = {}): Promise<Channels> {
  const routes = new Hono();
  const on = config.zalo || config.messenger;
  const inbox = on ? await createInbox(assistant.state, channelKeys(config.dataDir)) : null;
  // a messenger user gets the same allowance as a browser: RATE_LIMIT_PER_MINUTE questions a minute
  const limiter = createRateLimiter({ perMinute: config.rateLimitPerMinute });
  const deps = { assistant, inbox: inbox!, limiter, baseUrl: config.publicBaseUrl };
  const zalo = config.zalo ? await zaloChannel({ ...deps, config: config.zalo }, options.zalo) : null;
  const messenger = config.messenger ? messengerChannel({ ...deps, config: config.messenger }, options.messenger) : null;

  routes.post('/zalo', (c) => (zalo ? zalo.webhook(c) : fail(c, 'not_found')));
  routes.get('/messenger', (c) => (messenger ? messenger.verify(c) : fail(c, 'not_found')));
  routes.post('/messenger', (c) => (messenger ? messenger.webhook(c) : fail(c, 'not_found')));

  const sweep = () => inbox?.sweep(config.retentionDays).catch((e) => console.error('Không dọn được dữ liệu kênh nhắn tin:', e));
  let timer: ReturnType<typeof setInterval> | null = null;
  let morning: ReturnType<typeof setInterval> | null = null;
  if (inbox) {
    // done before the rest of the server starts: on SQLite nothing else may write while its transaction is open
    await sweep();
    timer = setInterval(() => void sweep(), DAY_MS / 24);
    timer.unref();
    // every minute: staff answers that waited for 06:00, and events a process that died had taken (their
    // claim goes stale after 5 minutes; one taken just before a quick restart is not stale at start-up)
    morning = setInterval(() => {
      zalo?.responder.resume();
      messenger?.responder.resume();
      void sendDueStaffAnswers(channels).catch((e) => console.error('Kênh zalo: lỗi khi gửi giải đáp đã hẹn:', e));
    }, 60_000);
    morning.unref();
    // what a stopped process received and did not answer
    zalo?.responder.resume();
    messenger?.responder.resume();
  }

  const channels: Channels = {
    routes,
    zalo,
    messenger,
    inbox,
    baseUrl: config.publicBaseUrl,
    idle: async () => {
      await Promise.all([zalo?.responder.idle(), messenger?.responder.idle()]);
    },
    stop: () => {
      if (timer) clearInterval(timer);
      if (morning) clearInterval(morning);
    },
  };
  return channels;
}
