// The shapes a SwarmNode takes and gives (options, events, stats), declared apart from
// its code: JSDoc types only, nothing at run time.
/** @import { SwarmcastCore, StreamSigner, DeviceConstraints, EngineStats, ChatLine, PlayableItem, RenditionList } from '../core/index.js' */
/** @import { NetworkConditions } from './network-conditions.js' */
/** @import { SwarmcastErrorDetail } from './typed-event-target.js' */
/** @import { ServerMessageOf } from '../../tools/server/schema.js' */

/**
 * What the signaling server knows of a broadcaster's swarm ('swarm' in
 * docs/SIGNALING.md). The delivery figures and device states are the viewers' own
 * reports; the server vouches for none of them.
 * @typedef {Omit<ServerMessageOf<'swarm'>, 'type'>} SwarmSummary
 */

/**
 * A viewer's playback since its first frame (totals, and its latency now).
 * @typedef {{ watchedMs: number, stalledMs: number, stalls: number, latencyMs?: number }} PlaybackReport
 */

/** @typedef {'broadcaster' | 'viewer'} NodeRole */
/** @typedef {'waiting' | 'live' | 'ended'} StreamState */
/** @typedef {{ title: string, tags: string[] }} StreamListingInfo */

/**
 * @typedef {object} SwarmNodeOptions
 * @property {SwarmcastCore} core
 * @property {NodeRole} role
 * @property {string} streamId
 * @property {StreamSigner | null} [signer] Broadcaster: proves the stream key to the server.
 * @property {string | string[]} signalingUrl ws(s)://host/signal, or several (instances of one swarm): on a loss
 *   it moves to the next (SignalingClient).
 * @property {DeviceConstraints} [device]
 * @property {boolean} [canUpload]
 * @property {number} [uploadKbps]
 * @property {number} [targetLatencyMs] Viewer: where the player aims (ms), so that the engine's deadlines (and
 *   where it starts a late joiner) match what the player does.
 * @property {number} [startLeadMs] Viewer: how far past that moment the engine chooses its first chunk (ms).
 * @property {number} [playerLeadMs] Viewer: how much nearer the live edge than targetLatencyMs the player starts (ms).
 * @property {() => PlaybackReport | null} [playback] A viewer's playback since its first frame (null before it),
 *   reported with its stats for the broadcaster's view of the stream's health.
 * @property {NetworkConditions | null} [network] Simulated conditions on every peer link (the debug page).
 * @property {RTCIceTransportPolicy} [iceTransportPolicy] 'relay': every peer link through the TURN server the
 *   signaling server hands out, never directly (hides this node's addresses from its peers); default 'all'.
 * @property {number} [tickMs] The periodic tick: timeouts, pings, re-requests.
 * @property {number} [statsIntervalMs] How often the node's stats timer runs: a report goes out
 *   on it, or less often when the server asks (welcome, pong).
 * @property {number} [minPeers] Fewer links than this: ask the server for more.
 * @property {number} [peersRequestIntervalMs]
 */

/**
 * @typedef {object} SwarmNodeWelcome
 * @property {number} peerId
 * @property {NodeRole} role
 * @property {{ peerId: number, role: NodeRole }[]} peers
 * @property {RTCIceServer[]} iceServers
 * @property {boolean} origin
 */

/**
 * @typedef {object} SwarmNodeEvents
 * @property {SwarmNodeWelcome} welcome
 * @property {StreamState} state
 * @property {number} viewers
 * @property {SwarmSummary} swarm A broadcaster's: the server's view of its swarm.
 * @property {ChatLine & { fromBroadcaster: boolean }} chat
 * @property {StreamListingInfo} listing
 * @property {PlayableItem[]} playable
 * @property {RenditionList} ladder The stream's verified rendition list, when the first arrives and at each new
 *   revision.
 * @property {{ connected: boolean, url: string }} signaling The signaling socket opened or closed, and its URL.
 * @property {SwarmcastErrorDetail} error type 'signaling' (fatal when the server refused this node for good) or
 *   'origin'.
 */

/**
 * @typedef {object} LinkStats
 * @property {number} peerId
 * @property {boolean} open
 * @property {number} bytesSent
 * @property {number} bytesReceived
 * @property {number} bufferedAmount
 * @property {boolean | null} relayed Its selected candidate pair goes through a TURN relay (null: not read yet).
 */

/**
 * @typedef {object} SwarmNodeStats
 * @property {number | null} peerId
 * @property {NodeRole} role
 * @property {StreamState | null} streamState
 * @property {number} viewers
 * @property {boolean} origin The server runs the HTTP origin (from the welcome).
 * @property {boolean} signaling
 * @property {string | null} signalingUrl The signaling server that welcomed this node on the socket open now.
 * @property {LinkStats[]} links
 * @property {EngineStats | null} engine
 */

export {};
