// What a SwarmNode tells the server of itself every statsIntervalMs ('stats' in
// docs/SIGNALING.md): what the server ranks peers by (our measured upload, how many
// peers we serve, how reliably we answer) and, for a viewer, its playback and the
// renditions it plays.
/** @import { DeviceConstraints, EngineStats } from '../core/index.js' */
/** @import { PeerLink } from './peer-link.js' */
/** @import { PlaybackReport } from './swarm-node-types.js' */
/** @import { ClientMessageOf } from '../../tools/server/schema.js' */

const UINT32_MAX = 0xffffffff;  // the signaling schema's bound on counts
const MAX_RENDITIONS = 8;       // rendition ids 0..7

// When a report goes out on a stats timer that runs every `timerMs`: on every tick, or
// less often when the server asks (welcome and pong: statsIntervalMs, longer on an
// instance holding many clients), on the first tick at least that long after the last
// report, so never more often than asked. Ticks are compared with half a tick to spare:
// a timer's ticks come a little early or late. A server value that is not a number (a
// server of another version) leaves the timer's.
// Nodes that joined together (a crowd arriving in a few seconds) would report together
// on every interval after: 5,000 joined in 5 s reported in one burst every 18 s, a third
// above the pace an instance asks for. So the report after the first (which goes on the
// first tick) comes early by a share of the interval, `phase`, random by default, and
// the nodes' reports spread over the interval.
export class ReportPace {
  #timerMs;
  #phase;               // spent (0) once the report after the first has gone
  #reportedAt = -Infinity;
  everyMs;

  /**
   * @param {number} timerMs
   * @param {number} [phase] in [0, 1)
   */
  constructor(timerMs, phase = Math.random()) {
    this.#timerMs = timerMs;
    this.#phase = phase;
    this.everyMs = timerMs;
  }

  /** @param {number} serverMs */
  ask(serverMs) {
    this.everyMs = Math.max(this.#timerMs, Number.isFinite(serverMs) ? serverMs : 0);
  }

  /**
   * Whether a report is due at `now` (ms, one clock); if so, counts it as sent.
   * @param {number} now
   * @returns {boolean}
   */
  due(now) {
    const ticks = Math.ceil(this.everyMs / this.#timerMs);
    if (now - this.#reportedAt + this.#phase * this.everyMs < (ticks - 0.5) * this.#timerMs) return false;
    if (this.#reportedAt !== -Infinity) this.#phase = 0;
    this.#reportedAt = now;
    return true;
  }
}

export class StatsReport {
  /** @type {{ at: number, mediaSent: number, linkBytes: Map<number, number> } | null} */
  #last = null;

  /**
   * The report on the time since the previous call; null on the first, which only
   * starts the count.
   * @param {number} now performance.now()
   * @param {EngineStats} engine
   * @param {PlaybackReport | null} playback
   * @param {PeerLink[]} links
   * @param {DeviceConstraints} device
   * @returns {ClientMessageOf<'stats'> | null}
   */
  next(now, engine, playback, links, device) {
    const mediaSent = engine.media_bytes_sent;
    const linkBytes = new Map(links.map((link) => [link.peerId, link.bytesSent]));
    const last = this.#last;
    this.#last = { at: now, mediaSent, linkBytes };
    if (!last) return null;
    const seconds = (now - last.at) / 1000;
    const uploaded = links.reduce((sum, link) => sum + link.bytesSent - (last.linkBytes.get(link.peerId) ?? 0), 0);
    return {
      type: 'stats',
      uploadKbps: Math.round((uploaded * 8) / 1000 / seconds),
      deliveryBytesPerS: (mediaSent - last.mediaSent) / seconds,
      sharePeers: links.filter((link) => link.bytesSent > (last.linkBytes.get(link.peerId) ?? 0)).length,
      links: links.filter((link) => link.open).length,
      relayedLinks: links.filter((link) => link.open && link.relayed).length,
      // Since the engine started: how reliably we answer (the scorer's reliability term;
      // without it every viewer stayed at the prior's half and scored a leaf).
      requestsReceived: Math.min(engine.piece_requests_received, UINT32_MAX),
      requestsServed: Math.min(engine.piece_requests_served, UINT32_MAX),
      requestsFailed: Math.min(engine.piece_requests_refused, UINT32_MAX),
      bans: Math.min(engine.bans, UINT32_MAX),
      device,
      ...(playback && { playback, rendition: renditionReport(engine) }),
    };
  }
}

/**
 * A viewer's quality level for the server: the rendition playing, switches, and ms on
 * each rendition (indexed by id; the engine reports the listed ones, 0 for the rest).
 * @param {EngineStats} engine
 * @returns {NonNullable<ClientMessageOf<'stats'>['rendition']>}
 */
function renditionReport(engine) {
  const msOn = [];
  for (let id = 0; id < MAX_RENDITIONS; id++) {
    const ms = engine[`ms_on_rendition_${id}`];
    if (typeof ms === 'number') msOn[id] = ms;
  }
  return {
    current: engine.rendition, switchesUp: Math.min(engine.switches_up, UINT32_MAX),
    switchesDown: Math.min(engine.switches_down, UINT32_MAX), msOn: Array.from(msOn, (ms) => ms ?? 0),
  };
}
