#!/usr/bin/env node
// npm run soak: an hour's watch (soak.mjs) of a broadcaster and its viewers in headless
// Chromium, sampled every 10 s. Progress on stderr, one JSON object on stdout: the
// summary (heap growth after the first 5 minutes in %, the most media a player held,
// stalls after the first minute, QuotaExceededErrors, page errors) and every sample.
//   node tools/soak/main.mjs [--minutes 60] [--viewers 3] [--every 10] [--settle 5]
import { parseArgs } from 'node:util';
import { runSoak, SOAK_DEFAULTS } from './soak.mjs';

const { values } = parseArgs({ options: {
  minutes: { type: 'string', default: String(SOAK_DEFAULTS.minutes) },
  viewers: { type: 'string', default: String(SOAK_DEFAULTS.viewers) },
  every: { type: 'string', default: String(SOAK_DEFAULTS.sampleEveryS) },
  settle: { type: 'string' },
} });
const minutes = Number(values.minutes);
const viewers = Number(values.viewers);
const sampleEveryS = Number(values.every);
const settleMinutes = values.settle === undefined ? Math.min(SOAK_DEFAULTS.settleMinutes, minutes / 3) : Number(values.settle);
if (!(minutes >= 1)) throw new RangeError('--minutes is at least 1');
if (!(Number.isInteger(viewers) && viewers >= 1)) throw new RangeError('--viewers is a whole number, at least 1');
if (!(sampleEveryS >= 1 && sampleEveryS * 6 <= minutes * 60)) throw new RangeError('--every is at least 1 s, and a sixth of the run at most');
if (!(settleMinutes >= 0 && settleMinutes < minutes)) throw new RangeError('--settle is at least 0 and less than --minutes');

const result = await runSoak({ minutes, viewers, sampleEveryS, settleMinutes, log: (line) => process.stderr.write(`${line}\n`) });
console.log(JSON.stringify(result, null, 2));
