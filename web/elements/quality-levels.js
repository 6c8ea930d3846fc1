// The quality levels a stream offers, the one chosen and the one playing:
// <swarmcast-player>'s `levels`, `level` and `playingLevel`, and its quality selector.
// The selector offers "Auto" (the engine's rule, which names the level it plays now:
// "Auto · 360p") and each level this browser decodes, by name; it shows once there are
// two to choose from. A stream without a rendition list has one level, the size its
// video plays at.
import { levelName } from '../shim/rendition-levels.js';

/** @typedef {import('../shim/rendition-levels.js').RenditionLevel} RenditionLevel */
/** @typedef {import('../shim/viewer.js').ViewerRenditionStats} ViewerRenditionStats */

/**
 * One level of <swarmcast-player>'s `levels`.
 * @typedef {object} QualityLevel
 * @property {number} id The rendition id (Viewer.setRendition).
 * @property {string} name What the selector calls it: "360p" ("audio" without picture).
 * @property {number} width
 * @property {number} height
 * @property {number} bitrate Bits per second (0 when the stream does not say).
 */

/** `level`'s value while the engine's rule chooses. */
export const AUTO_LEVEL = -1;

export class QualityLevels {
  #select;
  #choose;
  /** @type {QualityLevel[]} */
  #levels = [];
  /** @type {'auto' | number} the chosen level's id */
  #choice = 'auto';
  /** @type {number | null} the playing level's id */
  #playing = null;
  #fromList = false;
  #shownIds = '';

  /**
   * @param {HTMLSelectElement} select
   * @param {(choice: 'auto' | number) => void} choose tells the viewer a choice: 'auto' or a rendition id
   */
  constructor(select, choose) {
    this.#select = select;
    this.#choose = choose;
    select.addEventListener('change', () => {
      this.chosen = select.value === 'auto' ? AUTO_LEVEL : this.#indexOf(Number(select.value));
    });
  }

  /** @returns {QualityLevel[]} */
  get list() {
    return this.#levels.map((level) => ({ ...level }));
  }

  // The chosen level's index in `list`, or AUTO_LEVEL.
  get chosen() {
    return this.#choice === 'auto' ? AUTO_LEVEL : this.#indexOf(this.#choice);
  }

  set chosen(index) {
    if (!Number.isInteger(index) || index < AUTO_LEVEL || index >= this.#levels.length) {
      throw new RangeError(`level ${index} is neither ${AUTO_LEVEL} (Auto) nor one of the ${this.#levels.length} levels`);
    }
    this.#choice = index === AUTO_LEVEL ? 'auto' : this.#levels[index].id;
    this.#choose(this.#choice);
    this.#render();
  }

  // The playing level's index in `list`; -1 before anything plays.
  get playing() {
    return this.#playing === null ? -1 : this.#indexOf(this.#playing);
  }

  /**
   * The viewer's rendition stats, each second: its levels (those it decodes) and the
   * one playing. Without a list, the one level is the size `video` plays at.
   * @param {ViewerRenditionStats} rendition
   * @param {HTMLVideoElement} video
   */
  follow({ levels, current }, video) {
    if (levels.length) this.#fromList = true;
    if (this.#fromList) {
      this.#levels = levels.filter((level) => level.decodable).map(qualityLevel);
      this.#playing = current;
    } else {
      const { videoWidth: width, videoHeight: height } = video;
      this.#levels = height ? [{ id: 0, name: levelName({ height }), width, height, bitrate: 0 }] : [];
      this.#playing = height ? 0 : null;
    }
    // A chosen level the list no longer has: back to Auto, and the viewer with it.
    if (this.#choice !== 'auto' && this.chosen === -1) {
      this.#choice = 'auto';
      this.#choose('auto');
    }
    this.#render();
  }

  // A new viewer starts on Auto, knowing no level yet.
  reset() {
    this.#levels = [];
    this.#choice = 'auto';
    this.#playing = null;
    this.#fromList = false;
    this.#render();
  }

  /** @param {number} id */
  #indexOf(id) {
    return this.#levels.findIndex((level) => level.id === id);
  }

  #render() {
    const select = this.#select;
    const ids = this.#levels.map((level) => level.id).join();
    if (ids !== this.#shownIds || select.options.length === 0) {
      this.#shownIds = ids;
      select.replaceChildren(new Option('Auto', 'auto'), ...this.#levels.map((level) => new Option(level.name, String(level.id))));
    }
    const playing = this.#levels[this.playing];
    // Auto names the level it plays; a level chosen by hand is its own name.
    select.options[0].text = this.#choice === 'auto' && playing ? `Auto · ${playing.name}` : 'Auto';
    select.value = String(this.#choice);
    select.title = playing ? `Quality: ${playing.name} playing` : 'Quality';
    select.hidden = this.#levels.length < 2;
  }
}

/**
 * @param {RenditionLevel} level
 * @returns {QualityLevel}
 */
function qualityLevel({ id, width, height, bitrate }) {
  return { id, name: levelName({ height }), width, height, bitrate };
}
