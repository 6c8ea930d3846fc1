// What both elements share: a base class that also exists where the DOM does not (so
// Node and server-side rendering can import the package without a throw), one wasm
// core per page, the define-once rule, and the typed error they dispatch.
import { loadCore } from '../core/index.js';
import { missingFeatures, unsupportedMessage } from '../shim/features.js';
import { signalingUrlList, signalingUrlProblem } from '../shim/signaling.js';

/**
 * HTMLElement in a browser; an empty class elsewhere, only ever extended, never run.
 * @type {typeof HTMLElement}
 */
export const ElementBase = globalThis.HTMLElement ?? /** @type {typeof HTMLElement} */ (/** @type {unknown} */ (class {}));

/** @typedef {Awaited<ReturnType<typeof loadCore>>} Core */
/** @typedef {import('../shim/typed-event-target.js').SwarmcastErrorDetail} SwarmcastErrorDetail */

/** @type {Promise<Core> | null} */
let pageCorePromise = null;

/**
 * The page's one wasm core: every element on the page shares it (a second instance
 * would download and compile the same ~450 KB again). A failed load is not kept, so a
 * later element tries again.
 * @returns {Promise<Core>}
 */
export function pageCore() {
  pageCorePromise ??= loadCore().catch((/** @type {unknown} */ error) => {
    pageCorePromise = null;
    throw error;
  });
  return pageCorePromise;
}

/**
 * Defines `name` unless something already has (two copies of the package on a page),
 * and only where custom elements exist.
 * @param {string} name
 * @param {CustomElementConstructor} constructor
 */
export function defineOnce(name, constructor) {
  if (!globalThis.customElements) return;
  if (!customElements.get(name)) customElements.define(name, constructor);
}

/**
 * What keeps an element from starting, or null: a browser that lacks what it needs, or
 * signaling URLs of which one is not ws: or wss: (or none at all).
 * @param {string | readonly string[]} signaling one URL, several separated by spaces, or a list
 * @param {{ broadcast?: boolean }} [needs] as missingFeatures()'s
 * @returns {SwarmcastErrorDetail | null}
 */
export function startProblem(signaling, needs = {}) {
  const missing = missingFeatures(needs);
  if (missing.length) return { type: 'unsupported', detail: unsupportedMessage(missing), fatal: true };
  const urls = signalingUrlList(signaling);
  const problem = urls.length ? urls.map(signalingUrlProblem).find((reason) => reason !== null) : 'no signaling URL';
  return problem ? { type: 'input', detail: problem, fatal: true } : null;
}

/**
 * The message of anything thrown, for a person.
 * @param {unknown} error
 * @returns {string}
 */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Builds the shadow root's content from markup held as a string (no user input in it).
 * @param {HTMLElement} host
 * @param {string} markup
 * @returns {ShadowRoot}
 */
export function attachShadowMarkup(host, markup) {
  const root = host.attachShadow({ mode: 'open' });
  const template = document.createElement('template');
  template.innerHTML = markup;
  root.append(template.content.cloneNode(true));
  return root;
}

/**
 * The element with `id` in `root`, typed as the caller expects; a missing one is a bug
 * in the element's own markup, so it throws.
 * @template {Element} T
 * @param {ShadowRoot} root
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
export function part(root, id, type) {
  const element = root.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the element's markup lacks #${id}`);
  return element;
}
