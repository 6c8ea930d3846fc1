// What the broadcaster's dashboard shows of its swarm, from what the server knows of
// each viewer: its role from the peer scorer, its layer (hops from the broadcaster
// along the links the server assigned, a ranking hint that is not kept exact when
// links go away), and what it reports of its own upload, device, playback, rendition
// (quality level) and links (how many go through a TURN relay). The reported figures are the viewers' own
// words: the server vouches for none of them.
import { TIERS } from './peer-selection.js';

/** @typedef {import('./rooms.js').Room} Room */
/** @typedef {import('./schema.js').ServerMessageOf<'swarm'>} SwarmSummary */
/** @typedef {NonNullable<import('./rooms.js').ReportedStats['playback']>} PlaybackReport */
/** @typedef {NonNullable<import('./rooms.js').ReportedStats['rendition']>} RenditionReport */

// The summary's name for each member.tier.
/** @type {Record<number, keyof SwarmSummary['roles']>} */
const ROLE_OF_TIER = { [TIERS['super-seed']]: 'superSeed', [TIERS.relay]: 'relay', [TIERS.leaf]: 'leaf' };

// Viewers deeper than this share the last layer.
export const SUMMARY_LAYERS = 6;

/**
 * @param {Room} room
 * @returns {SwarmSummary}
 */
export function swarmSummary(room) {
  const roles = { superSeed: 0, relay: 0, leaf: 0 };
  const layers = new Array(SUMMARY_LAYERS).fill(0);
  const limited = { cannotUpload: 0, metered: 0, batteryLow: 0, hidden: 0 };
  /** @type {PlaybackReport[]} the viewers' playback reports */
  const reports = [];
  /** @type {RenditionReport[]} */
  const renditionReports = [];
  let carriedBytesPerS = 0;
  let unplaced = 0;
  for (const viewer of room.viewers.values()) {
    roles[ROLE_OF_TIER[viewer.tier] ?? 'leaf']++;
    if (viewer.stats.playback) reports.push(viewer.stats.playback);
    if (viewer.stats.rendition) renditionReports.push(viewer.stats.rendition);
    if (Number.isFinite(viewer.hops)) layers[Math.min(viewer.hops, SUMMARY_LAYERS) - 1]++;
    else unplaced++;
    carriedBytesPerS += viewer.stats.deliveryBytesPerS ?? 0;
    if (!viewer.canUpload) limited.cannotUpload++;
    const device = viewer.stats.device ?? {};
    for (const key of /** @type {const} */ (['metered', 'batteryLow', 'hidden'])) if (device[key]) limited[key]++;
  }
  return {
    type: 'swarm', viewers: room.viewers.size, carriedBytesPerS: Math.round(carriedBytesPerS),
    roles, layers, unplaced, limited, links: links(room), health: health(reports), renditions: renditions(renditionReports),
  };
}

/**
 * The open links every member (the broadcaster too) reports, and how many of them go
 * through a TURN relay. Each link is counted at both of its ends, so the relayed share
 * is the same as over links counted once.
 * @param {Room} room
 * @returns {SwarmSummary['links']}
 */
function links(room) {
  const counted = { open: 0, relayed: 0 };
  for (const member of room.members()) {
    counted.open += member.stats.links ?? 0;
    counted.relayed += Math.min(member.stats.relayedLinks ?? 0, member.stats.links ?? 0);
  }
  return counted;
}

/**
 * How playback has gone for the viewers that report it: totals since each one's first
 * frame (so the stalled share is the rebuffer ratio of the audience now), and the
 * median and worst latency among them now.
 * @param {PlaybackReport[]} reports
 * @returns {SwarmSummary['health']}
 */
function health(reports) {
  const latencies = reports.map((report) => report.latencyMs).filter((ms) => ms !== undefined).sort((a, b) => a - b);
  /** @param {'watchedMs' | 'stalledMs' | 'stalls'} field */
  const total = (field) => reports.reduce((sum, report) => sum + report[field], 0);
  return {
    reporting: reports.length, watchedMs: total('watchedMs'), stalledMs: total('stalledMs'), stalls: total('stalls'),
    ...(latencies.length && { latencyP50Ms: latencies[Math.ceil(latencies.length / 2) - 1], latencyMaxMs: latencies.at(-1) }),
  };
}

/**
 * Which renditions the viewers play: per id, how many play it now and the media played
 * on it since each one's first frame; and their switches, up and down.
 * @param {RenditionReport[]} reports
 * @returns {SwarmSummary['renditions']}
 */
function renditions(reports) {
  /** @type {Map<number, { id: number, viewers: number, playedMs: number }>} */
  const byId = new Map();
  /** @param {number} id */
  const entry = (id) => {
    let found = byId.get(id);
    if (!found) byId.set(id, (found = { id, viewers: 0, playedMs: 0 }));
    return found;
  };
  let switchesUp = 0;
  let switchesDown = 0;
  for (const report of reports) {
    entry(report.current).viewers++;
    report.msOn.forEach((ms, id) => {
      if (ms > 0) entry(id).playedMs += ms;
    });
    switchesUp += report.switchesUp;
    switchesDown += report.switchesDown;
  }
  const played = [...byId.values()].sort((a, b) => a.id - b.id).map((r) => ({ ...r, playedMs: Math.round(r.playedMs) }));
  return { reporting: reports.length, byId: played, switchesUp, switchesDown };
}
