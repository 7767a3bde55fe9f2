import { runEvals } from './run.ts';
const T = Number(process.env.T ?? 0.5);
const { outcomes } = await runEvals(['hybrid']);
const o = outcomes.hybrid;
for (const x of o.filter(x=>x.item.expect && x.confidence < T)) console.log('IN ', x.confidence.toFixed(2), x.item.variant, '|', x.item.question);
for (const x of o.filter(x=>!x.item.expect && x.confidence >= T)) console.log('OOS', x.confidence.toFixed(2), x.item.variant, '|', x.item.question);
