// The events an instance publishes in one turn of the event loop leave as one message
// per channel (a JSON array; events.js parses either), up to MAX_BATCH_CHARS in all: a
// join storm's signals and member events cost Redis and every receiver one message per
// batch, not one each.
const MAX_BATCH_CHARS = 512 * 1024;

export class Outbox {
  /** @type {Map<string, string[]>} channel -> the events queued this turn, serialized */
  #queued = new Map();
  #chars = 0;
  #scheduled = false;
  #first;
  #send;

  /**
   * @param {string} first The channel whose batch leaves first: the shared one, so that a
   *   member's arrival precedes the signals for it queued in the same turn.
   * @param {(channel: string, message: string) => void} send
   */
  constructor(first, send) {
    this.#first = first;
    this.#send = send;
  }

  /**
   * @param {string} channel
   * @param {string} text one serialized event
   */
  add(channel, text) {
    if (this.#chars + text.length > MAX_BATCH_CHARS) this.flush();
    const queued = this.#queued.get(channel);
    if (queued) queued.push(text);
    else this.#queued.set(channel, [text]);
    this.#chars += text.length + 1;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush() {
    this.#scheduled = false;
    const batches = [...this.#queued].sort(([a], [b]) => Number(b === this.#first) - Number(a === this.#first));
    this.#queued = new Map();
    this.#chars = 0;
    for (const [channel, texts] of batches) this.#send(channel, texts.length === 1 ? texts[0] : `[${texts.join(',')}]`);
  }
}
