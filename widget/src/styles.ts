import { css } from 'lit';

/**
 * Lit adopts these as constructable stylesheets, which a strict CSP (no 'unsafe-inline') allows.
 * Every colour comes from a --cnsh-* custom property so a host page can restyle without forking.
 * Fonts: named system fonts with complete Vietnamese glyphs first; nothing is downloaded.
 */
export const styles = css`
  :host {
    --p: var(--cnsh-primary, #0a6640);
    --op: var(--cnsh-on-primary, #fff);
    --bg: var(--cnsh-surface, #fff);
    --fg: var(--cnsh-text, #1b2429);
    --mu: var(--cnsh-muted, #4b5862);
    --bd: var(--cnsh-border, #c5ced6);
    --bot: var(--cnsh-bot-bg, #f1f4f6);
    --ubg: var(--cnsh-user-bg, #e3eefa);
    --ufg: var(--cnsh-user-text, #10263d);
    --lk: var(--cnsh-link, #0a4f96);
    --fo: var(--cnsh-focus, #b3420b);
    --r: var(--cnsh-radius, 12px);
    display: block;
    font: 15px/1.55 var(--cnsh-font, -apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, sans-serif);
    color: var(--fg);
    text-align: left;
  }
  :host([hidden]) { display: none; }
  *, *::before, *::after { box-sizing: border-box; }
  button, textarea { font: inherit; color: inherit; }
  button { cursor: pointer; min-height: 24px; min-width: 24px; -webkit-tap-highlight-color: transparent; }
  button:disabled { cursor: not-allowed; opacity: 0.7; }
  a { color: var(--lk); text-underline-offset: 2px; }
  :focus-visible { outline: 3px solid var(--fo); outline-offset: 2px; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  svg { width: 20px; height: 20px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; flex: none; }

  .launcher {
    position: fixed; right: 20px; bottom: 20px; z-index: var(--cnsh-z, 2147483000);
    display: inline-flex; align-items: center; gap: 8px; min-height: 52px; padding: 0 20px 0 16px;
    border: 2px solid var(--op); border-radius: 999px; background: var(--p); color: var(--op);
    font-weight: 600; font-size: 16px; box-shadow: 0 6px 20px rgb(0 0 0 / 0.28);
  }
  .launcher svg { width: 24px; height: 24px; }

  .panel {
    display: flex; flex-direction: column; overflow: hidden; padding: 0;
    background: var(--bg); color: var(--fg); border: 1px solid var(--bd); border-radius: var(--r);
  }
  dialog.panel {
    position: fixed; inset: auto 20px 88px auto; margin: 0; z-index: var(--cnsh-z, 2147483000);
    width: min(420px, calc(100vw - 40px)); height: min(680px, calc(100vh - 112px));
    box-shadow: 0 16px 48px rgb(0 0 0 / 0.3);
  }
  dialog.panel:not([open]) { display: none; }
  dialog::backdrop { background: rgb(0 0 0 / 0.35); }
  @media (max-width: 640px), (max-height: 520px) {
    dialog.panel { inset: 0; width: 100%; height: 100%; max-width: none; max-height: none; border: 0; border-radius: 0; }
  }
  .inline { height: 100%; min-height: 460px; }
  .view { flex: 1; min-height: 0; display: flex; flex-direction: column; }
  .tabs { display: flex; border-bottom: 1px solid var(--bd); background: var(--bg); }
  .tab { flex: 1; min-height: 44px; padding: 8px 12px; border: 0; border-bottom: 3px solid transparent; background: none; color: var(--mu); font-weight: 600; }
  .tab[aria-selected='true'] { color: var(--p); border-bottom-color: var(--p); }
  .tab:focus-visible { outline-offset: -3px; }
  .quiz-load { margin: 14px; }

  .head { display: flex; align-items: center; gap: 8px; padding: 10px 10px 10px 16px; background: var(--p); color: var(--op); }
  .head :focus-visible { outline-color: var(--op); }
  .grow { flex: 1; min-width: 0; }
  .head h2 { margin: 0; font-size: 17px; line-height: 1.3; }
  .head p { margin: 0; font-size: 13px; }
  .head button { display: inline-flex; align-items: center; gap: 4px; background: none; border: 1px solid; border-radius: 8px; padding: 4px 10px; min-height: 36px; font-size: 13px; }
  .head .x { border: 0; padding: 0; width: 40px; height: 40px; justify-content: center; }
  .head .new { padding: 4px 8px; white-space: nowrap; }
  @media (max-width: 400px) { .head { padding-left: 12px; } .head p { font-size: 12px; } }

  /* notes above the transcript keep their height: the transcript is what shrinks */
  .notice, .offline, .undo, .tabs, .head, form.composer, .foot, .rd-bar { flex: none; }
  .notice { margin: 8px 12px 0; padding: 8px 12px; border: 1px solid #c9a227; background: #fff8e0; border-radius: 10px; font-size: 14px; line-height: 1.45; }
  .notice p { margin: 0; }
  .notice .row { margin-top: 6px; justify-content: space-between; }
  .notice .btn { min-height: 32px; padding: 2px 14px; }
  .notice [hidden] { display: none; }
  #privacy-full { margin-top: 6px; }
  .link { border: 0; padding: 0 2px; background: none; color: var(--lk); text-decoration: underline; text-underline-offset: 2px; min-height: 24px; }
  .undo { display: flex; align-items: center; justify-content: space-between; gap: 8px; margin: 8px 12px 0; padding: 6px 6px 6px 12px; border-radius: 10px; background: var(--bot); font-size: 14px; }
  .undo .btn { min-height: 32px; }
  .offline { margin: 10px 12px 0; padding: 8px 12px; border-radius: 10px; background: #fdecec; color: #7a1010; font-size: 14px; }

  .log { position: relative; flex: 1; overflow-y: auto; overscroll-behavior: contain; padding: 14px; display: flex; flex-direction: column; gap: 14px; }
  .log:focus-visible { outline-offset: -3px; }
  .intro { margin: 0; }
  .msg { max-width: 100%; border-radius: 14px; padding: 9px 13px; overflow-wrap: anywhere; }
  .user { align-self: flex-end; max-width: 88%; background: var(--ubg); color: var(--ufg); white-space: pre-wrap; border-bottom-right-radius: 4px; }
  .bot { align-self: stretch; background: var(--bot); border-bottom-left-radius: 4px; }
  .bot > p, .bot > ul { margin: 0 0 8px; }
  .bot > ul { padding-left: 20px; }
  .bot > :last-child { margin-bottom: 0; }
  .declined, .unsure { border-left: 4px solid #c9a227; }
  .caution { margin: 0 0 8px; padding: 4px 8px; border-radius: 6px; background: #fff3cd; color: #5c4300; font-size: 14px; }
  .body > p, .body > ul { margin: 0 0 8px; }
  .body > ul { padding-left: 20px; }
  .body > :last-child { margin-bottom: 0; }
  /* a long answer shows its first lines; "Xem thêm" opens the rest */
  .folded { max-height: 7.75em; overflow: hidden; mask-image: linear-gradient(#000 60%, transparent); }
  .fold { margin-top: 2px; font-weight: 600; }
  sup { line-height: 0; }
  .ref {
    display: inline-grid; place-items: center; height: 24px; min-width: 24px; padding: 0 4px; margin: 0 1px;
    border: 1px solid var(--lk); border-radius: 6px; background: var(--bg); color: var(--lk); font-size: 12px; font-weight: 700; vertical-align: 4px;
  }
  .term { border: 0; padding: 0; background: none; min-height: 0; min-width: 0; text-decoration: underline dotted 2px; text-underline-offset: 4px; cursor: help; }
  .term[aria-expanded='true'] { background: #fff2bf; }
  .def { margin: 8px 0; padding: 8px 10px; background: #fffbea; border: 1px solid #c9a227; border-radius: 8px; }
  .def p { margin: 0 0 6px; }

  .cites { margin-top: 10px; padding-top: 8px; border-top: 1px solid var(--bd); font-size: 14px; }
  .cites h3 { margin: 0 0 6px; font-size: 13px; color: var(--mu); letter-spacing: 0.02em; text-transform: uppercase; }
  .cites ol { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
  .cites li { display: grid; grid-template-columns: 26px 1fr; gap: 4px; }
  .num { display: grid; place-items: center; width: 22px; height: 22px; margin-top: 1px; border-radius: 50%; background: var(--p); color: var(--op); font-size: 12px; font-weight: 700; }
  .cites a { display: block; min-height: 24px; line-height: 1.45; }
  summary { display: flex; align-items: center; min-height: 28px; cursor: pointer; color: var(--mu); width: max-content; max-width: 100%; }
  summary::before { content: '▸'; margin-right: 6px; }
  details[open] summary::before { content: '▾'; }
  blockquote { margin: 2px 0 0; padding: 6px 10px; border-left: 3px solid var(--bd); background: var(--bg); }

  .row { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-top: 10px; }
  .feedback { font-size: 14px; color: var(--mu); }
  .thumb { position: relative; display: inline-grid; place-items: center; width: 44px; height: 40px; padding: 0; border: 1px solid var(--bd); border-radius: 8px; background: var(--bg); color: var(--fg); }
  .thumb.down svg { transform: rotate(180deg); }
  .tick { position: absolute; top: -7px; right: -7px; display: grid; place-items: center; width: 18px; height: 18px; border-radius: 50%; background: var(--op); color: var(--p); border: 2px solid var(--p); font-size: 11px; font-weight: 700; line-height: 1; }
  .read .note { font-size: 12.5px; color: var(--mu); flex: 1 1 200px; }
  .fb { display: grid; gap: 6px; width: 100%; }
  .fb textarea { min-height: 64px; }
  .chips { display: flex; flex-wrap: wrap; gap: 8px; margin: 0; padding: 0; list-style: none; }
  .chip { text-align: left; border: 1px solid var(--p); color: var(--p); background: var(--bg); border-radius: 18px; padding: 6px 14px; min-height: 36px; line-height: 1.35; }
  @media (hover: hover) { .chip:hover, .thumb:hover { background: #e6f2ec; } }
  /* after the hover rule: a pressed thumb stays filled under the pointer and after a tap */
  .thumb[aria-pressed='true'] { background: var(--p); color: var(--op); border: 2px solid var(--fg); }
  .thumb[aria-pressed='true'] svg { fill: currentColor; }
  .label { margin: 0 0 6px; font-weight: 600; font-size: 14px; }
  .state { display: flex; gap: 8px; align-items: flex-start; margin: 8px 0 0; font-size: 14px; color: var(--mu); }
  .error { border: 1px solid #d99a9a; background: #fdf1f1; color: #6f1010; }
  .btn { display: inline-flex; align-items: center; gap: 6px; border: 1px solid var(--p); border-radius: 8px; padding: 6px 14px; min-height: 36px; font-weight: 600; background: var(--p); color: var(--op); }
  .ghost { background: var(--bg); color: var(--p); }
  .dots::after { content: ''; animation: dots 1.2s steps(4) infinite; }
  @keyframes dots { 0% { content: ''; } 25% { content: '.'; } 50% { content: '..'; } 75% { content: '...'; } }

  form.composer { display: flex; gap: 8px; align-items: flex-end; padding: 10px 12px; border-top: 1px solid var(--bd); background: var(--bg); }
  textarea {
    flex: 1; min-width: 0; resize: none; field-sizing: content; min-height: 46px; max-height: 140px;
    padding: 11px 12px; border: 1px solid #6f7c86; border-radius: 10px; background: var(--bg); color: var(--fg); line-height: 1.4;
  }
  .composer .btn { min-height: 46px; padding: 0 16px; }
  .foot { margin: 0; padding: 0 12px 6px; font-size: 12.5px; color: var(--mu); background: var(--bg); }
  .foot a { display: inline-block; min-height: 24px; padding: 3px 0; }

  .reader { background: var(--bg); }
  .rd-bar { padding: 8px 12px; border-bottom: 1px solid var(--bd); }
  .rd-body { flex: 1; overflow-y: auto; overscroll-behavior: contain; padding: 12px 16px 16px; }
  .rd-body h3 { margin: 0 0 10px; font-size: 17px; line-height: 1.35; }
  .rd-body h3:focus { outline: none; }
  .rd-body ul { padding-left: 20px; }
  .rd-body a { display: inline-block; min-height: 24px; }
  .kicker { margin: 0 0 2px; font-size: 13px; color: var(--mu); }
  mark { background: #fff2bf; color: inherit; box-shadow: 0 0 0 3px #fff2bf; border-radius: 2px; }
  .basis { font-size: 14px; color: var(--mu); }
  @media (prefers-reduced-motion: reduce) { .dots::after { animation: none; content: '…'; } }
  @media (forced-colors: active) { .launcher, .btn, .chip, .thumb, .ref { border: 1px solid ButtonText; } .thumb[aria-pressed='true'] { border: 3px solid Highlight; } }
`;
