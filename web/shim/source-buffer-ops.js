// One SourceBuffer operation at a time, as a promise. Only MsePlayer's queue calls
// these, so a SourceBuffer is never touched while it is updating.
import { bufferedStart } from './buffered-ranges.js';

/**
 * Runs start(sb) (an appendBuffer or a remove) and resolves when it has finished.
 * @param {SourceBuffer} sb
 * @param {(sb: SourceBuffer) => void} start
 * @returns {Promise<void>}
 */
export function updateSourceBuffer(sb, start) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      sb.removeEventListener('updateend', done);
      sb.removeEventListener('error', failed);
    };
    const done = () => { cleanup(); resolve(); };
    const failed = () => { cleanup(); reject(new Error('the SourceBuffer refused the media (decode error)')); };
    sb.addEventListener('updateend', done);
    sb.addEventListener('error', failed);
    try {
      start(sb);
    } catch (error) {
      cleanup();
      reject(error);
    }
  });
}

/**
 * Appends `bytes`; when the browser's buffer quota is full, drops everything before
 * keepFrom (seconds) and tries once more; a second refusal is fatal.
 * @param {SourceBuffer} sb
 * @param {Uint8Array<ArrayBuffer>} bytes
 * @param {number} keepFrom
 * @returns {Promise<void>}
 */
export async function appendMakingRoom(sb, bytes, keepFrom) {
  try {
    await updateSourceBuffer(sb, (b) => b.appendBuffer(bytes));
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'QuotaExceededError') throw error;
    const start = bufferedStart(sb.buffered);
    if (start !== null && keepFrom > start) await updateSourceBuffer(sb, (b) => b.remove(start, keepFrom));
    await updateSourceBuffer(sb, (b) => b.appendBuffer(bytes));
  }
}
