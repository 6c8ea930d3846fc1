// The numbers of the chat lines a node posts. Lines are named (author, number): numbers
// start from the clock in tenths of a second, so an author key used again after a reload
// (the broadcaster's) does not repeat a number its peers remember.
import { nowMs } from './clock.js';

// The clock in tenths of a second as a chat line number (a uint32 on the wire).
const chatClock = () => Math.floor(nowMs() / 100) % 2 ** 32;

export class ChatNumbers {
  #last = chatClock();

  /** @returns {number} the next line's: past the last one, and not behind the clock */
  next() {
    this.#last = Math.max(this.#last + 1, chatClock()) % 2 ** 32;
    return this.#last;
  }
}
