// What GET /metrics tells an operator's Prometheus, in its text format: this server's
// connections and rooms, the joins, messages and rejections it has seen, how long it
// takes to relay a signal, and what its viewers report of their playback and of how
// much of the stream they carry. One Registry per server, not prom-client's global one,
// so that two servers in one process (the tests, an application running two) keep
// their counts apart. Every series carries an `instance` label; the figures viewers
// report are their own words, summed over the members connected to this instance.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ErrorCode, clientMessages } from './schema.js';

/** @typedef {import('./client.js').Client} Client */
/** @typedef {import('./rooms.js').Role} Role */
/** @typedef {import('./schema.js').ClientMessageOf<'stats'>} StatsMessage */

/**
 * What the metrics read from the server when scraped.
 * @typedef {object} MetricsSource
 * @property {() => string} instance the `instance` label: an id the operator gave, else
 *   the listening socket's host:port
 * @property {() => Iterable<Client>} clients the connections this instance holds
 * @property {() => number} rooms the rooms this instance knows
 * @property {() => number} statsIntervalMs how often it asks each client for its stats now
 * @property {() => import('./cluster/solo.js').ClusterStatus} [cluster] Redis and the
 *   instances sharing the rooms ('off' on one instance: no such series then)
 */

// Signal relay inside one process takes well under a millisecond; across instances
// (Redis) up to tens of ms; the buckets reach far enough to show a stalled event loop.
const RELAY_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export class ServerMetrics {
  #source;
  // What the members report, summed once per scrape for every gauge that reads it.
  #reports = summarise([]);
  registry = new Registry();

  /** @param {MetricsSource} source */
  constructor(source) {
    this.#source = source;
    const registers = [this.registry];
    new Gauge({
      name: 'swarmcast_connections', help: 'Signaling WebSocket connections open on this instance', registers,
      collect() { this.set([...source.clients()].length); },
    });
    new Gauge({
      name: 'swarmcast_rooms', help: 'Stream rooms this instance knows (live or waiting for their broadcaster)', registers,
      collect() { this.set(source.rooms()); },
    });
    new Gauge({
      name: 'swarmcast_stats_interval_seconds',
      help: 'How often this instance asks each client for its stats now: longer as it fills up, and the dashboards and peer scores are that much older',
      registers,
      collect() { this.set(source.statsIntervalMs() / 1000); },
    });
    this.joins = new Counter({ name: 'swarmcast_joins_total', help: 'Members that joined a room, by role', labelNames: ['role'], registers });
    this.messages = new Counter({
      name: 'swarmcast_messages_received_total', help: 'Valid client messages received, by type', labelNames: ['type'], registers,
    });
    this.rejections = new Counter({
      name: 'swarmcast_rejections_total',
      help: 'Errors sent to clients, by error code; and frames the WebSocket refused: message_too_big (closed with 1009), bad_frame',
      labelNames: ['reason'], registers,
    });
    this.relayLatency = new Histogram({
      name: 'swarmcast_signal_relay_seconds', help: 'From a signal message received to its relay sent on', buckets: RELAY_BUCKETS_S, registers,
    });
    this.bans = new Counter({ name: 'swarmcast_bans_reported_total', help: 'Peers banned for bad data, as members report it', registers });
    // Every series there can be, from 0: a rate over a series that appears only at its
    // first count would miss that count.
    for (const role of ['broadcaster', 'viewer']) this.joins.inc({ role }, 0);
    for (const type of Object.keys(clientMessages)) this.messages.inc({ type }, 0);
    for (const reason of [...Object.values(ErrorCode), 'message_too_big', 'bad_frame']) this.rejections.inc({ reason }, 0);
    this.#playbackGauges(registers);
    const cluster = source.cluster;
    if (cluster && cluster().redis !== 'off') {
      new Gauge({
        name: 'swarmcast_redis_up', help: '1 while this instance reaches Redis, 0 while it serves only the peers it holds', registers,
        collect() { this.set(cluster().redis === 'up' ? 1 : 0); },
      });
      new Gauge({
        name: 'swarmcast_instances', help: 'Instances sharing the rooms through Redis that this one sees live, itself included', registers,
        collect() { this.set(cluster().instances); },
      });
    }
  }

  /** @param {Role} role */
  joined(role) {
    this.joins.inc({ role });
  }

  /** @param {string} type */
  received(type) {
    this.messages.inc({ type });
  }

  /** @param {string} reason an ErrorCode, message_too_big or bad_frame */
  rejected(reason) {
    this.rejections.inc({ reason });
  }

  /**
   * A signal relayed: the time from its receipt to its relay, here or through another
   * instance.
   * @param {number} ms
   */
  relayed(ms) {
    this.relayLatency.observe(ms / 1000);
  }

  /**
   * A member's stats report, before it replaces `previous`: its ban count is a total
   * since it started, so only what is new counts (a restarted engine starts again at 0).
   * @param {StatsMessage} report
   * @param {{ bans?: number }} previous
   */
  reported(report, previous) {
    if (report.bans === undefined) return;
    const added = report.bans - (previous.bans ?? 0);
    if (added > 0) this.bans.inc(added);
  }

  /**
   * The exposition text, labelled with this instance.
   * @returns {Promise<string>}
   */
  text() {
    this.registry.setDefaultLabels({ instance: this.#source.instance() });
    this.#reports = summarise(this.#source.clients());
    return this.registry.metrics();
  }

  get contentType() {
    return this.registry.contentType;
  }

  /**
   * Gauges over what this instance's members report now: viewers' playback totals
   * since their first frame, and the bytes per second the broadcasters and the viewers
   * say they deliver, from which the share of the stream the viewers carry.
   * @param {Registry[]} registers
   */
  #playbackGauges(registers) {
    const reportedNow = () => this.#reports;
    /** @type {[string, string, (now: ReturnType<typeof summarise>) => number][]} */
    const gauges = [
      ['swarmcast_viewers_reporting_playback', 'Viewers connected here that report their playback', (now) => now.reporting],
      ['swarmcast_viewer_watched_seconds', 'Sum over those viewers of the time watched since their first frame', (now) => now.watchedMs / 1000],
      ['swarmcast_viewer_stalled_seconds', 'Sum over those viewers of the time stalled since their first frame', (now) => now.stalledMs / 1000],
      ['swarmcast_viewer_stalls', 'Sum over those viewers of their stalls', (now) => now.stalls],
      ['swarmcast_viewer_rebuffer_ratio', 'Stalled time / watched time over those viewers (0 before any watched)',
        (now) => (now.watchedMs > 0 ? now.stalledMs / now.watchedMs : 0)],
      ['swarmcast_broadcaster_delivery_bytes_per_second', 'Media bytes/s the broadcasters connected here report sending',
        (now) => now.broadcasterBytesPerS],
      ['swarmcast_viewer_delivery_bytes_per_second', 'Media bytes/s the viewers connected here report relaying to peers',
        (now) => now.viewerBytesPerS],
      ['swarmcast_reported_offload_ratio',
        'Share of the delivered media the viewers carried: viewer bytes/s / (viewer + broadcaster bytes/s); 0 with no delivery',
        (now) => {
          const total = now.viewerBytesPerS + now.broadcasterBytesPerS;
          return total > 0 ? now.viewerBytesPerS / total : 0;
        }],
    ];
    for (const [name, help, value] of gauges) {
      new Gauge({ name, help, registers, collect() { this.set(value(reportedNow())); } });
    }
  }
}

/**
 * What the connected members report now, summed.
 * @param {Iterable<Client>} clients
 */
function summarise(clients) {
  const sums = { reporting: 0, watchedMs: 0, stalledMs: 0, stalls: 0, broadcasterBytesPerS: 0, viewerBytesPerS: 0 };
  for (const { member } of clients) {
    if (!member) continue;
    const { playback, deliveryBytesPerS = 0 } = member.stats;
    if (member.role === 'broadcaster') {
      sums.broadcasterBytesPerS += deliveryBytesPerS;
      continue;
    }
    sums.viewerBytesPerS += deliveryBytesPerS;
    if (!playback) continue;
    sums.reporting++;
    sums.watchedMs += playback.watchedMs;
    sums.stalledMs += playback.stalledMs;
    sums.stalls += playback.stalls;
  }
  return sums;
}
