// A live broadcast: a media source → ChunkRecorder (MediaRecorder + wasm segmenter) →
// StreamSigner (signed init/chunk headers) → SwarmNode (the engine seeds the swarm),
// and, when the server runs an HTTP origin, a PUT of each signed item to it.
//   events: 'live', 'ended', 'published' (detail: {kind, epoch, seq, bytes}),
//           'viewers' (count), 'swarm' (detail: the server's summary, SwarmNode.swarm),
//           'chat' (detail: a line; see chat.js),
//           'error' (detail: {type, detail, fatal})
import { HeaderKind, StreamSigner } from '../core/index.js';
import { ChatVoice } from './chat.js';
import { ClipBuffer } from './clip-buffer.js';
import { ChunkRecorder } from './recorder.js';
import { OriginClient } from './origin-client.js';
import { StreamListing } from './listing.js';
import { SwarmNode } from './swarm-node.js';
import { deviceConstraints } from './device.js';
import { nowMs } from './clock.js';

// Chunks are published ~0.75 s apart, so a 1 s window held one chunk or two: rates that
// swung by half from one second to the next.
const RATE_WINDOW_MS = 3000;

export class Broadcaster extends EventTarget {
  #core;
  #signer;
  #signalingUrl;
  #recorderOptions;
  #origin;
  #node = null;
  #recorder = null;
  #produced = { bytes: 0, chunks: 0 };
  #clips;
  #network;
  // Over the last RATE_WINDOW_MS or more: what this tab uploaded, and what the stream produced.
  #rate = { at: 0, sent: 0, produced: 0, bytesPerS: 0, streamBytesPerS: 0 };
  #listing = new StreamListing((message) => this.#node?.tellServer(message) ?? false);

  // seed: the 32-byte stream key (see stream-key.js); the stream id follows from it.
  // listing: { title, tags } for the live list (see describe()).
  // clip: ClipBuffer options ({ seconds, maxBytes }) for clip(). network: simulated
  // conditions on its peer links (NetworkConditions; the debug page), or null.
  constructor({ core, seed, signalingUrl, recorder = {}, listing = {}, clip = {}, network = null }) {
    super();
    this.#network = network;
    this.#clips = new ClipBuffer(core, clip);
    this.#listing.describe(listing);
    this.#core = core;
    this.#signer = new StreamSigner(core, seed);
    // The swarm's chat (chat.js), signed with the stream key: every viewer can tell the
    // broadcaster's lines. chat.name, chat.say(text), chat.react(emoji).
    this.chat = new ChatVoice(this.#signer);
    this.#signalingUrl = signalingUrl;
    this.#recorderOptions = recorder;
    this.#origin = new OriginClient(core, signalingUrl, this.#signer.streamId);
  }

  get streamId() {
    return this.#signer.streamId;
  }

  get live() {
    return this.#recorder !== null;
  }

  // Proves the stream key to the server, then records `stream` into the swarm.
  async goLive(stream) {
    if (this.live) throw new Error('already live');
    const node = new SwarmNode({
      core: this.#core, role: 'broadcaster', streamId: this.streamId, signer: this.#signer,
      signalingUrl: this.#signalingUrl, device: await deviceConstraints(), network: this.#network,
    });
    this.#node = node;
    node.addEventListener('viewers', ({ detail }) => this.#emit('viewers', detail));
    node.addEventListener('swarm', ({ detail }) => this.#emit('swarm', detail));
    this.chat.attach(node, (type, detail) => this.#emit(type, detail));
    // The server forgets the listing with the connection: tell it again on each welcome.
    node.addEventListener('welcome', () => this.#listing.announce());
    node.addEventListener('error', ({ detail }) => this.#emit('error', detail));
    node.start();
    try {
      await node.welcomed;
    } catch (error) {
      node.stop();
      this.#node = null;
      throw error;
    }
    const recorder = new ChunkRecorder(this.#core, stream, this.#recorderOptions);
    this.#recorder = recorder;
    recorder.addEventListener('init', ({ detail }) => this.#publish(HeaderKind.init, detail));
    recorder.addEventListener('chunk', ({ detail }) => this.#publish(HeaderKind.chunk, detail));
    recorder.addEventListener('error', ({ detail }) => {
      this.#emit('error', detail);
      this.stop();
    });
    recorder.start();
    this.#listing.watch(stream);
    this.#rate = { at: performance.now(), sent: 0, produced: this.#produced.bytes, bytesPerS: 0, streamBytesPerS: 0 };
    this.#emit('live', { streamId: this.streamId });
  }

  // Goes on live from `stream` instead (camera to screen and back): viewers switch
  // at the next chunk, through a new init segment; the stream id and swarm stay.
  async switchSource(stream) {
    if (!this.live) throw new Error('not live');
    await this.#recorder.switchStream(stream);
    this.#listing.watch(stream);
  }

  // The title and tags the live list shows (the / page); a thumbnail of the picture is
  // sent every few seconds while live. Tags are normalised: lowercase words joined by
  // hyphens, at most five. Takes effect at once when live, else when going live.
  describe({ title = '', tags = [] } = {}) {
    this.#listing.describe({ title, tags });
  }

  get description() {
    return this.#listing.description;
  }

  async stop() {
    const recorder = this.#recorder;
    this.#recorder = null;
    // The last chunk is published before the swarm is told the stream ended.
    await recorder?.stop();
    this.#listing.stop();
    this.chat.detach();
    this.#node?.stop();
    this.#node = null;
    this.#emit('ended', null);
  }

  // The last seconds published, as a WebM file (ClipBuffer); null before the first chunk.
  clip() {
    return this.#clips.clip();
  }

  // The dashboard's numbers (DESIGN.md): source upload factor = bytes this tab uploaded
  // / bytes of stream produced; ~1-2 when the swarm carries the stream.
  stats() {
    const node = this.#node?.stats() ?? null;
    const sent = node?.engine?.media_bytes_sent ?? 0;
    const now = performance.now();
    const produced = this.#produced.bytes;
    if (now - this.#rate.at >= RATE_WINDOW_MS) {
      const perS = (bytes) => (bytes * 1000) / (now - this.#rate.at);
      this.#rate = { at: now, sent, produced, bytesPerS: perS(sent - this.#rate.sent), streamBytesPerS: perS(produced - this.#rate.produced) };
    }
    return {
      streamId: this.streamId,
      live: this.live,
      viewers: node?.viewers ?? 0,
      producedBytes: this.#produced.bytes,
      producedChunks: this.#produced.chunks,
      mediaBytesSent: sent,
      uploadBytesPerS: this.#rate.bytesPerS,
      streamBytesPerS: this.#rate.streamBytesPerS,
      sourceUploadFactor: this.#produced.bytes ? sent / this.#produced.bytes : 0,
      // The server's view of the swarm (SwarmNode.swarm), null until its first summary.
      swarm: this.#node?.swarm ?? null,
      node,
    };
  }

  #publish(kind, { epoch, seq = 0, captureMs, durationMs = 0, bytes }) {
    if (!this.#node) return;
    const header = this.#signer.sign(kind, { epoch, seq, captureMs, durationMs }, bytes);
    const ok = kind === HeaderKind.init ? this.#node.publishInit(header, bytes) : this.#node.publishChunk(header, bytes);
    if (!ok) {
      this.#emit('error', { type: 'publish', detail: `the engine refused ${kind === HeaderKind.init ? 'init' : 'chunk'} ${seq}`, fatal: false });
      return;
    }
    if (this.#node.origin) this.#upload(kind, kind === HeaderKind.init ? epoch : seq, header, bytes);
    this.#clips.add({ init: kind === HeaderKind.init, epoch, captureMs, bytes });
    if (kind === HeaderKind.chunk) {
      this.#produced.bytes += bytes.length;
      this.#produced.chunks++;
    }
    this.#emit('published', { kind: kind === HeaderKind.init ? 'init' : 'chunk', epoch, seq, bytes, publishedAt: nowMs() });
  }

  // Fire and forget: a lost upload costs only viewers who have no peer holding the chunk.
  async #upload(kind, number, header, bytes) {
    const name = kind === HeaderKind.init ? 'init' : 'chunk';
    const problem = await this.#origin.put(name, number, header, bytes);
    if (problem) this.#emit('error', { type: 'origin', detail: `HTTP origin: ${problem}`, fatal: false });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
