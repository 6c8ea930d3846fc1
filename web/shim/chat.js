// A page's voice in the swarm's chat (swarm/chat.hpp): the key its lines are signed
// with, the name it signs them with, and its lines and reactions posted through its
// SwarmNode. Viewer and Broadcaster each hold one; their 'chat' events carry every new
// line, this page's own included (`mine`).

/** @typedef {import('../core/index.js').StreamSigner} StreamSigner */
/** @typedef {import('../core/index.js').ChatLine} ChatLine */
/** @typedef {import('../core/index.js').ChatVerdict} ChatVerdict */
/** @typedef {import('./swarm-node.js').SwarmNode} SwarmNode */

/** The reactions a chat carries. */
export const CHAT_REACTIONS = Object.freeze(/** @type {const} */ (['👍', '❤️', '😂', '😮', '👏', '🔥']));

/** @typedef {(typeof CHAT_REACTIONS)[number]} ChatReaction */

/**
 * What became of a line: 'new' once sent to every peer, 'flooding' when over a line a
 * second (a burst of 5), 'not_joined' before joining (or after leaving); the rest as
 * SwarmEngine.postChat.
 * @typedef {ChatVerdict | 'not_joined'} ChatResult
 */

/**
 * A new chat line, relayed peer to peer and verified against its author's signature.
 * `fromBroadcaster`: signed with the stream key, the broadcaster's own line; `mine`:
 * this page's own line.
 * @typedef {ChatLine & { fromBroadcaster: boolean, mine: boolean }} ChatMessage
 */

/** A page's voice in the chat: the key and name its lines are signed with. */
export class ChatVoice {
  #author;
  /** @type {SwarmNode | null} */
  #node = null;
  /** The name this page's lines are signed with (at most 32 bytes of UTF-8). */
  name = '';

  /**
   * @param {StreamSigner} author the broadcaster's stream key, or a viewer's key of its own
   */
  constructor(author) {
    this.#author = author;
  }

  /**
   * Starts speaking through `node`; `emit(type, detail)` is the owner's event dispatch.
   * @param {SwarmNode} node
   * @param {(type: 'chat', detail: ChatMessage) => void} emit
   */
  attach(node, emit) {
    this.#node = node;
    node.addEventListener('chat', ({ detail }) => emit('chat', { ...detail, mine: detail.author === this.#author.streamId }));
  }

  detach() {
    this.#node = null;
  }

  /**
   * A line of text: 'new' once sent, 'flooding' when over a line a second (a burst of
   * 5), 'not_joined' before joining. Throws RangeError for an empty text or one over
   * 500 bytes, or a name over 32 bytes.
   * @param {string} text
   * @returns {ChatResult}
   */
  say(text) {
    return this.#post({ kind: 'text', text: String(text).trim() });
  }

  /**
   * One of CHAT_REACTIONS, counted against the same rate as lines; RangeError for
   * anything else.
   * @param {ChatReaction} emoji
   * @returns {ChatResult}
   */
  react(emoji) {
    if (!CHAT_REACTIONS.includes(emoji)) throw new RangeError(`a reaction is one of ${CHAT_REACTIONS.join(' ')}`);
    return this.#post({ kind: 'reaction', text: emoji });
  }

  /**
   * @param {{ kind: 'text' | 'reaction', text: string }} line
   * @returns {ChatResult}
   */
  #post(line) {
    return this.#node ? this.#node.postChat(this.#author, { ...line, name: this.name.trim() }) : 'not_joined';
  }
}
