// What the broadcaster's dashboard shows of its swarm, from what the server knows of
// each viewer: its role from the peer scorer, its layer (hops from the broadcaster
// along the links the server assigned, a ranking hint that is not kept exact when
// links go away), and what it reports of its own upload and device. The reported
// figures are the viewers' own words: the server vouches for none of them.
const ROLES = ['leaf', 'relay', 'superSeed'];  // by member.tier (peer-selection.js)

// Viewers deeper than this share the last layer.
export const SUMMARY_LAYERS = 6;

export function swarmSummary(room) {
  const roles = { superSeed: 0, relay: 0, leaf: 0 };
  const layers = new Array(SUMMARY_LAYERS).fill(0);
  const limited = { cannotUpload: 0, metered: 0, batteryLow: 0, hidden: 0 };
  let carriedBytesPerS = 0;
  let unplaced = 0;
  for (const viewer of room.viewers.values()) {
    roles[ROLES[viewer.tier] ?? 'leaf']++;
    if (Number.isFinite(viewer.hops)) layers[Math.min(viewer.hops, SUMMARY_LAYERS) - 1]++;
    else unplaced++;
    carriedBytesPerS += viewer.stats.deliveryBytesPerS ?? 0;
    if (!viewer.canUpload) limited.cannotUpload++;
    const device = viewer.stats.device ?? {};
    for (const key of ['metered', 'batteryLow', 'hidden']) if (device[key]) limited[key]++;
  }
  return {
    type: 'swarm', viewers: room.viewers.size, carriedBytesPerS: Math.round(carriedBytesPerS),
    roles, layers, unplaced, limited,
  };
}
