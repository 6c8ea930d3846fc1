// `npm run bench:abr`: adaptive bitrate on a real capped downlink, as JSON (tests/field/abr.mjs).
// Needs root (see docs/FIELD.md). Options: --cap KBIT, --rungs "360p:1400, 180p:300".
import { parseArgs } from 'node:util';
import { abrOnCappedLink } from './abr.mjs';

const { values } = parseArgs({ options: { cap: { type: 'string' }, rungs: { type: 'string' } } });
const figures = await abrOnCappedLink({ capKbit: values.cap ? Number(values.cap) : undefined, rungs: values.rungs });
console.log(JSON.stringify({ abrOnCappedLink: figures }, null, 2));
