// A page that embeds swarmcast, typed by the declarations of `swarmcast`: both elements
// through HTMLElementTagNameMap, then every export of the browser entry.
import {
  Broadcaster, CHAT_REACTIONS, CLIP_DEFAULTS, COMPOSE_DEFAULTS, ChatVoice, ChunkRecorder, ClipBuffer,
  FINAL_CLOSE_CODES, LATENCY_MODES, MSE_PLAYER_DEFAULTS, MsePlayer, NetworkConditions, PEER_LINK_DEFAULTS,
  PeerLink, RECORDER_DEFAULTS, SIGNALING_DEFAULTS, SWARM_NODE_DEFAULTS, SignalingClient, SwarmNode,
  SwarmcastBroadcaster, SwarmcastPlayer, Viewer, composePictureInPicture, loadCore, loadOrCreateSeed,
  missingFeatures, nowMs, openCamera, openScreen, openScreenWithCamera, openTestPattern, readTimecode,
  recorderMimeType, signalingUrl, unsupportedMessage, videoBitsPerSecondFor,
} from 'swarmcast';
import { StreamSigner } from 'swarmcast/core';
import type {
  BroadcasterStats, ChatMessage, LatencyMode, SwarmcastErrorDetail, ViewerState, ViewerStats,
} from 'swarmcast';

// ---- the elements, as most pages use the package
const player = document.createElement('swarmcast-player');
const typedPlayer: SwarmcastPlayer = player;
player.stream = new URLSearchParams(location.search).get('stream') ?? '';
player.signaling = signalingUrl();
player.latencyMode = 'smooth';
player.muted = true;
player.stats = true;
// @ts-expect-error: a latency mode is 'low' or 'smooth'
player.latencyMode = 'fast';
// @ts-expect-error: stream is a string attribute
player.stream = 42;
const playerState: ViewerState | 'idle' = typedPlayer.state;
const shownVideo: HTMLVideoElement = player.video;
document.body.append(player);
document.querySelector('swarmcast-player')?.seekToLive();

const broadcasterElement = document.createElement('swarmcast-broadcaster');
const typedBroadcaster: SwarmcastBroadcaster = broadcasterElement;
broadcasterElement.watchUrl = `${location.origin}/?stream=`;
const share: string | null = typedBroadcaster.shareLink;
document.body.append(broadcasterElement);
console.log(playerState, shownVideo.currentTime, share, customElements.get('swarmcast-player') === SwarmcastPlayer);

// ---- the classes under them, as a page with its own UI uses them
async function watch(video: HTMLVideoElement, streamId: string): Promise<Viewer> {
  const missing: string[] = missingFeatures();
  if (missing.length > 0) throw new Error(unsupportedMessage(missing));
  const viewer = new Viewer({
    core: await loadCore(),
    streamId,
    video,
    signalingUrl: signalingUrl(),
    player: { ...MSE_PLAYER_DEFAULTS, latencyMode: LATENCY_MODES[0] },
    clip: { seconds: CLIP_DEFAULTS.seconds },
    network: new NetworkConditions({ latencyMs: 40, jitterMs: 10, lossRate: 0.01 }),
  });
  viewer.addEventListener('statechange', ({ detail }) => {
    const state: ViewerState = detail;
    console.log(state);
  });
  viewer.addEventListener('error', ({ detail }) => {
    const problem: SwarmcastErrorDetail = detail;
    if (problem.fatal) console.error(problem.type, problem.detail);
  });
  viewer.addEventListener('chat', ({ detail }) => {
    const line: ChatMessage = detail;
    console.log(line.name, line.text);
  });
  await viewer.start();
  const mode: LatencyMode = viewer.latencyMode;
  const stats: ViewerStats = viewer.stats();
  console.log(mode, stats.state, viewer.chat.react(CHAT_REACTIONS[0]), viewer.clip()?.size);
  return viewer;
}

async function broadcast(preview: HTMLVideoElement): Promise<Broadcaster> {
  const broadcaster = new Broadcaster({
    core: await loadCore(),
    seed: loadOrCreateSeed(),
    signalingUrl: signalingUrl(),
    recorder: { ...RECORDER_DEFAULTS, videoBitsPerSecond: videoBitsPerSecondFor() },
    listing: { title: 'typed', tags: ['example'] },
  });
  const pattern = await openTestPattern();
  const camera = await openCamera();
  const screen = await openScreen();
  const both = await openScreenWithCamera({ ...COMPOSE_DEFAULTS });
  const composed = await composePictureInPicture(screen, camera);
  preview.srcObject = pattern.stream;
  console.log(recorderMimeType(pattern.stream), readTimecode(new Uint8Array(4 * 640), 640));
  broadcaster.addEventListener('viewers', ({ detail }) => console.log(`${detail} watching`));
  await broadcaster.goLive(pattern.stream);
  await broadcaster.switchSource(composed.stream);
  broadcaster.describe({ title: 'still typed', tags: [] });
  const stats: BroadcasterStats = broadcaster.stats();
  console.log(stats.viewers, broadcaster.streamId);
  both.stop();
  await broadcaster.stop();
  return broadcaster;
}

// ---- lower down: the transport and the media pipeline
async function lowerDown(video: HTMLVideoElement, stream: MediaStream, streamId: string): Promise<void> {
  const core = await loadCore();
  const node = new SwarmNode({ ...SWARM_NODE_DEFAULTS, core, role: 'viewer', streamId, signalingUrl: signalingUrl() });
  node.addEventListener('viewers', ({ detail }) => console.log(detail));
  node.start();
  await node.welcomed;
  node.stop();

  const link = new PeerLink({ ...PEER_LINK_DEFAULTS, peerId: 1, initiator: true, signal: (data) => console.log(data.sdp?.type) });
  link.addEventListener('message', ({ detail }) => console.log(detail.byteLength));
  link.close('done');

  const signaling = new SignalingClient(signalingUrl(), () => ({ type: 'join', role: 'viewer', streamId }), { ...SIGNALING_DEFAULTS });
  signaling.addEventListener('close', ({ detail }) => console.log(FINAL_CLOSE_CODES.has(detail.code)));
  signaling.connect();
  signaling.close();

  const recorder = new ChunkRecorder(core, stream, RECORDER_DEFAULTS);
  const clips = new ClipBuffer(core, CLIP_DEFAULTS);
  recorder.addEventListener('chunk', ({ detail }) => console.log(detail.seq, clips.seconds));
  recorder.start();
  await recorder.stop();

  const player = new MsePlayer(video, MSE_PLAYER_DEFAULTS);
  const voice = new ChatVoice(new StreamSigner(core, loadOrCreateSeed()));
  voice.name = 'typed';
  console.log(player.state, nowMs(), voice.say('hello'));
}

export { broadcast, lowerDown, watch };
