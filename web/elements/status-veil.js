// The line over an element's picture that says what is going on ('Connecting…') or
// what went wrong (a problem, announced to screen readers as an alert).
export class StatusVeil {
  #element;

  /** @param {HTMLElement} element */
  constructor(element) {
    this.#element = element;
  }

  get hasProblem() {
    return this.#element.classList.contains('problem');
  }

  /** @param {string} text */
  show(text) {
    this.#element.hidden = false;
    this.#element.textContent = text;
  }

  hide() {
    this.#element.hidden = true;
  }

  /** @param {string | null} text the problem, or null: none (an earlier one is cleared, not hidden) */
  problem(text) {
    this.#element.classList.toggle('problem', text !== null);
    this.#element.setAttribute('role', text === null ? 'status' : 'alert');
    if (text !== null) this.show(text);
  }

  /** @param {() => void} action runs on the next click on the veil (e.g. 'Tap to play') */
  onNextClick(action) {
    this.#element.addEventListener('click', action, { once: true });
  }
}
