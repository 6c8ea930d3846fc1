// The Opus identification header (RFC 7845 §5.1) a WebM audio track carries as its
// CodecPrivate: written here so every rendition's init segment can be made before the
// AudioEncoder's first output. Both Chromium's and Firefox's encoders report these same
// 19 bytes (pre-skip 312) as their decoderConfig.description.

const PRE_SKIP = 312;

/**
 * @param {number} channels 1 or 2 (channel mapping family 0)
 * @param {number} inputSampleRate the rate the samples were captured at
 * @returns {Uint8Array}
 */
export function opusHead(channels, inputSampleRate) {
  const head = new Uint8Array(19);
  head.set(new TextEncoder().encode('OpusHead'));
  const view = new DataView(head.buffer);
  view.setUint8(8, 1);  // version
  view.setUint8(9, channels);
  view.setUint16(10, PRE_SKIP, true);
  view.setUint32(12, inputSampleRate, true);
  view.setInt16(16, 0, true);  // output gain
  view.setUint8(18, 0);  // mapping family
  return head;
}
