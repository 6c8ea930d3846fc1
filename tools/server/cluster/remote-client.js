// The stand-in for a member whose socket is on another instance. Every instance tells
// its own sockets what a change in a room means to them (peer-left, state, viewers,
// listing: see replica.js), so a room-wide message addressed to a remote member is
// that instance's to send and goes nowhere here. Only a signal, which one member sends
// to one other, crosses to the owner.

/** @typedef {import('../schema.js').ServerMessage} ServerMessage */
/** @typedef {import('../schema.js').ClientMessageOf<'signal'>['data']} SignalData */
/**
 * Publishes a signal to the instance that holds the target's socket.
 * @typedef {(owner: string, signal: { streamId: string, sender: number, to: number, data: SignalData }) => void} ForwardSignal
 */

export class RemoteClient {
  #forward;

  /**
   * @param {string} owner the instance id that holds the socket
   * @param {ForwardSignal} forward
   */
  constructor(owner, forward) {
    this.owner = owner;
    this.#forward = forward;
  }

  /**
   * The owner sends its own copy of every room-wide message.
   * @param {ServerMessage} message
   */
  send(message) {
    void message;
  }

  /**
   * The same, serialized once for a room.
   * @param {string} text
   */
  sendText(text) {
    void text;
  }

  /**
   * @param {{ streamId: string, sender: number, to: number, data: SignalData, forwarded?: boolean }} signal
   */
  forwardSignal(signal) {
    this.#forward(this.owner, signal);
  }
}
