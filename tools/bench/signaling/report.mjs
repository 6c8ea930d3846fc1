// The figures of a signaling bench run, from what the phases measured, and the
// issue's targets they are held against (printed, never asserted: the machine is shared).

export const TARGETS = {
  oneInstance: { peers_held_min: 19_000, rss_bytes_per_connection_max: 10 * 1024, storm_peers: 5_000, storm_seconds: 5,
    storm_p99_ms_max: 300, relay_rate_per_s: 1_000, relay_p99_ms_max: 50 },
  threeInstances: { peers_held_min: 50_000, relay_between_instances_p99_ms_max: 100 },
};

/**
 * Nearest-rank percentile; null for no samples.
 * @param {number[]} xs
 * @param {number} q 0..1
 */
export function percentile(xs, q) {
  if (xs.length === 0) return null;
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/** @param {number | null} x @param {number} [digits] */
export const round = (x, digits = 1) => (x === null || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));

/** @param {number[]} xs */
export const latency = (xs) => ({ p50_ms: round(percentile(xs, 0.5)), p99_ms: round(percentile(xs, 0.99)), max_ms: round(percentile(xs, 1)) });

/**
 * The p99 of the latencies of each slice of `sliceMs` by when they began (what a
 * single p99 does not show: a backlog that drains, or a stall that recurs).
 * @param {number[]} latencies ms
 * @param {number[]} startedAt ms since the epoch, one per latency
 * @param {number} from ms since the epoch, where the first slice begins
 * @param {number} sliceMs
 * @returns {(number | null)[]}
 */
export function slicedP99(latencies, startedAt, from, sliceMs) {
  /** @type {number[][]} */
  const slices = [];
  for (const [i, ms] of latencies.entries()) (slices[Math.max(0, Math.floor((startedAt[i] - from) / sliceMs))] ??= []).push(ms);
  return Array.from(slices, (slice) => round(percentile(slice ?? [], 0.99)));
}

/**
 * Adds up the workers' answers to one phase command.
 * @param {any[]} answers
 */
export function mergeJoins(answers) {
  const startedAt = Math.min(...answers.map((a) => a.startedAt));
  const endedAt = Math.max(...answers.map((a) => a.endedAt));
  return {
    startedAt, endedAt,
    joined: answers.reduce((n, a) => n + a.joined, 0),
    failed: answers.reduce((n, a) => n + a.failed, 0),
    joinMs: answers.flatMap((a) => a.joinMs),
    connectMs: answers.flatMap((a) => a.connectMs),
  };
}

/**
 * @param {Record<string, number>[]} counts
 * @returns {Record<string, number>}
 */
export function addCounts(counts) {
  /** @type {Record<string, number>} */
  const total = {};
  for (const one of counts) for (const [key, n] of Object.entries(one)) total[key] = (total[key] ?? 0) + n;
  return total;
}

/**
 * Whether the run met the targets for its mode; a target the run was not
 * configured to measure (a smaller storm, a lower rate) is null.
 * @param {any} result the bench's JSON without targets
 */
export function targetsMet(result) {
  const one = TARGETS.oneInstance;
  const { config } = result;
  const atSpec = (/** @type {boolean} */ configured, /** @type {boolean} */ met) => (configured ? met : null);
  const p99Within = (/** @type {number | null} */ p99, /** @type {number} */ max) => p99 !== null && p99 <= max;
  if (config.instances === 1) {
    return {
      peers_held: result.connections.held >= one.peers_held_min,
      rss_per_connection: result.server.rss_bytes_per_connection !== null && result.server.rss_bytes_per_connection <= one.rss_bytes_per_connection_max,
      storm_p99: atSpec(config.storm >= one.storm_peers && config.storm_seconds <= one.storm_seconds,
        p99Within(result.storm.p99_ms, one.storm_p99_ms_max) && result.storm.failed === 0),
      relay_p99: atSpec(config.rate_per_s >= one.relay_rate_per_s, p99Within(result.relay.p99_ms, one.relay_p99_ms_max)),
    };
  }
  const three = TARGETS.threeInstances;
  return {
    peers_held: result.connections.held >= three.peers_held_min,
    room_spans_all_instances: result.rooms.spanning_all_instances > 0,
    relay_between_instances_p99: atSpec(result.relay.between_instances,
      p99Within(result.relay.p99_ms, three.relay_between_instances_p99_ms_max)),
  };
}
