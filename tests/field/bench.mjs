// `npm run bench:field`: the real-link figures as JSON. A viewer whose uplink is capped
// below the stream's rate (what its peers ask of it against what it can send), and a
// viewer behind a port-randomising NAT (its join time through TURN, and the
// broadcaster's upload factor with it among 4 viewers). Needs root (see docs/FIELD.md).
import { cappedLink, natAndTurn } from './scenarios.mjs';

const { problems: cappedProblems, ...capped } = await cappedLink();
const { problems: natProblems, ...nat } = await natAndTurn();
console.log(JSON.stringify({ cappedLink: capped, natAndTurn: nat, pageProblems: [...cappedProblems, ...natProblems] }, null, 2));
