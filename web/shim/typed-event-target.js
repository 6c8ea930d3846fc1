// EventTarget, typed: a class that extends TypedEventTarget with an event map (event
// name → CustomEvent detail) lets a page's listeners see each detail's type. At run
// time it is the platform's EventTarget; only the declarations add anything (the
// listeners are handed to it as they are, and it calls them with the CustomEvents the
// subclass dispatches).

/**
 * Listeners for the events in `Events` receive a CustomEvent of that event's detail;
 * any other name falls back to EventTarget's own signatures.
 * @template {Record<string, unknown>} Events
 */
export class TypedEventTarget extends EventTarget {
  /**
   * @template {keyof Events & string} K
   * @overload
   * @param {K} type
   * @param {(event: CustomEvent<Events[K]>) => void} listener
   * @param {boolean | AddEventListenerOptions} [options]
   * @returns {void}
   */
  /**
   * @overload
   * @param {string} type
   * @param {EventListenerOrEventListenerObject | null} listener
   * @param {boolean | AddEventListenerOptions} [options]
   * @returns {void}
   */
  /**
   * @param {string} type
   * @param {EventListenerOrEventListenerObject | ((event: CustomEvent<never>) => void) | null} listener
   * @param {boolean | AddEventListenerOptions} [options]
   */
  addEventListener(type, listener, options) {
    super.addEventListener(type, /** @type {EventListenerOrEventListenerObject | null} */ (listener), options);
  }

  /**
   * @template {keyof Events & string} K
   * @overload
   * @param {K} type
   * @param {(event: CustomEvent<Events[K]>) => void} listener
   * @param {boolean | EventListenerOptions} [options]
   * @returns {void}
   */
  /**
   * @overload
   * @param {string} type
   * @param {EventListenerOrEventListenerObject | null} listener
   * @param {boolean | EventListenerOptions} [options]
   * @returns {void}
   */
  /**
   * @param {string} type
   * @param {EventListenerOrEventListenerObject | ((event: CustomEvent<never>) => void) | null} listener
   * @param {boolean | EventListenerOptions} [options]
   */
  removeEventListener(type, listener, options) {
    super.removeEventListener(type, /** @type {EventListenerOrEventListenerObject | null} */ (listener), options);
  }
}

/**
 * The detail of every 'error' (and 'warning') event the shim dispatches: what went
 * wrong, for code and for a person. `fatal: true` means the object has stopped for good.
 * @typedef {object} SwarmcastErrorDetail
 * @property {string} type Where it happened: 'signaling', 'media', 'append', 'segmenter', 'publish', 'origin', ...
 * @property {string} detail A sentence for a person.
 * @property {boolean} fatal
 */
