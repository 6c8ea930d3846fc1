// A page's voice in the swarm's chat (swarm/chat.hpp): the key its lines are signed
// with, the name it signs them with, and its lines and reactions posted through its
// SwarmNode. Viewer and Broadcaster each hold one; their 'chat' events carry every new
// line, this page's own included (`mine`).
export const CHAT_REACTIONS = Object.freeze(['👍', '❤️', '😂', '😮', '👏', '🔥']);

export class ChatVoice {
  #author;
  #node = null;
  name = '';

  // author: a StreamSigner (the broadcaster's stream key, or a viewer's key of its own).
  constructor(author) {
    this.#author = author;
  }

  // Starts speaking through `node`; `emit(type, detail)` is the owner's event dispatch.
  attach(node, emit) {
    this.#node = node;
    node.addEventListener('chat', ({ detail }) => emit('chat', { ...detail, mine: detail.author === this.#author.streamId }));
  }

  detach() {
    this.#node = null;
  }

  // A line of text: 'new' once sent, 'flooding' when over a line a second (a burst of
  // 5), 'not_joined' before joining; RangeError for an empty text or one over 500
  // bytes, or a name over 32 bytes.
  say(text) {
    return this.#post({ kind: 'text', text: String(text).trim() });
  }

  // One of CHAT_REACTIONS, counted against the same rate as lines.
  react(emoji) {
    if (!CHAT_REACTIONS.includes(emoji)) throw new RangeError(`a reaction is one of ${CHAT_REACTIONS.join(' ')}`);
    return this.#post({ kind: 'reaction', text: emoji });
  }

  #post(line) {
    return this.#node ? this.#node.postChat(this.#author, { ...line, name: this.name.trim() }) : 'not_joined';
  }
}
