// The quality levels a stream offers and the one chosen: <swarmcast-player>'s `levels`
// and `level`, and its quality selector. A stream carries one level today (the size it
// plays at), so the selector stays hidden; once streams carry renditions the Viewer's
// list takes the place of the video's size, and the selector shows as soon as there
// are two to choose from.

/** @typedef {{ name: string, width: number, height: number }} QualityLevel */

export class QualityLevels {
  #select;
  /** @type {QualityLevel[]} */
  #levels = [];
  #chosen = 0;

  /** @param {HTMLSelectElement} select */
  constructor(select) {
    this.#select = select;
    select.addEventListener('change', () => { this.chosen = Number(select.value); });
  }

  get list() {
    return [...this.#levels];
  }

  get chosen() {
    return this.#chosen;
  }

  set chosen(index) {
    if (!Number.isInteger(index) || index < 0 || index >= Math.max(1, this.#levels.length)) {
      throw new RangeError(`level ${index} is not one of the ${this.#levels.length} levels`);
    }
    this.#chosen = index;
    this.#select.value = String(index);
  }

  /** @param {HTMLVideoElement} video the one level: the size it plays at */
  follow(video) {
    const { videoWidth: width, videoHeight: height } = video;
    const levels = height ? [{ name: `${height}p`, width, height }] : [];
    if (levels.map((level) => level.name).join() !== this.#levels.map((level) => level.name).join()) this.#show(levels);
  }

  /** @param {QualityLevel[]} levels */
  #show(levels) {
    this.#levels = levels;
    this.#chosen = Math.min(this.#chosen, Math.max(0, levels.length - 1));
    this.#select.replaceChildren(...levels.map((level, i) => new Option(level.name, String(i), false, i === this.#chosen)));
    this.#select.hidden = levels.length < 2;
  }
}
