// What the soak reads from one page every sample: the heaps, the media buffer, the DOM,
// the peer links. The JS heap and the DOM counts come from Chromium's DevTools protocol
// after a full garbage collection, so they hold only what the page keeps alive: a leak
// shows as a rising line, not as noise under the garbage between two collections. The
// JS heap counts the bytes of ArrayBuffers too, which V8 keeps outside its own heap
// (media chunks are Uint8Arrays: counted without them, a page keeping every chunk it
// ever saw grew by a few KB a minute), and Blink's objects (the DOM's).

// An init script for every page (openPage's initScript): counts the SourceBuffer
// appends the browser refused for its quota. MsePlayer makes room and appends again
// when that happens (web/shim/source-buffer-ops.js), so the page itself never says.
export function countQuotaRefusals() {
  window.soakQuotaExceeded = 0;
  const append = SourceBuffer.prototype.appendBuffer;
  SourceBuffer.prototype.appendBuffer = function appendBuffer(data) {
    try {
      return append.call(this, data);
    } catch (error) {
      if (error?.name === 'QuotaExceededError') window.soakQuotaExceeded++;
      throw error;
    }
  };
}

// Runs in the page: the wasm core (the page's one, shared by its elements: the module
// URL is the one the page's own imports resolve to, so it is the same module), the player's
// SourceBuffer through its <video> (a watch page's; the broadcast page has none) and the
// node's links, as window.swarmcast exposes them.
async function readPage() {
  const { pageCore } = await import('/web/elements/element-base.js');
  const core = await pageCore();
  const stats = window.swarmcast.stats();
  const ranges = window.swarmcast.video?.buffered ?? null;
  let bufferedSeconds = 0;
  for (let i = 0; i < (ranges?.length ?? 0); i++) bufferedSeconds += ranges.end(i) - ranges.start(i);
  const links = (stats?.node?.links ?? []).filter((link) => link.open);
  const engine = stats?.node?.engine ?? null;
  return {
    wasmHeapBytes: core.HEAPU8.buffer.byteLength,
    wasmInUseBytes: core.heapBytesInUse(),
    engineBufferBytes: engine?.buffer_bytes ?? null,
    engineBufferedChunks: engine?.buffered_chunks ?? null,
    buffered: ranges && { seconds: bufferedSeconds, ranges: ranges.length },
    links: {
      open: links.length,
      bufferedSum: links.reduce((sum, link) => sum + link.bufferedAmount, 0),
      bufferedMax: Math.max(0, ...links.map((link) => link.bufferedAmount)),
    },
    quotaExceeded: window.soakQuotaExceeded ?? 0,
  };
}

// One sample of `page`: { jsHeapBytes (the sum of v8HeapBytes, arrayBufferBytes and
// blinkHeapBytes), domNodes, listeners, documents, wasmHeapBytes (the memory's size),
// wasmInUseBytes (malloc's), engineBufferBytes, engineBufferedChunks,
// buffered: {seconds, ranges} | null, links: {open, bufferedSum, bufferedMax}, quotaExceeded,
// gcMs (how long the collection held the page, as the DevTools client saw it) }.
export async function samplePage(page) {
  page.cdp ??= await page.context().newCDPSession(page);
  const gcStartedAt = performance.now();
  await page.cdp.send('HeapProfiler.collectGarbage');
  const gcMs = performance.now() - gcStartedAt;
  const [heap, dom, inPage] = await Promise.all([
    page.cdp.send('Runtime.getHeapUsage'),
    page.cdp.send('Memory.getDOMCounters'),
    page.evaluate(readPage),
  ]);
  return {
    jsHeapBytes: heap.usedSize + heap.backingStorageSize + heap.embedderHeapUsedSize,
    v8HeapBytes: heap.usedSize, arrayBufferBytes: heap.backingStorageSize, blinkHeapBytes: heap.embedderHeapUsedSize,
    domNodes: dom.nodes, listeners: dom.jsEventListeners, documents: dom.documents, ...inPage,
    gcMs: Math.round(gcMs),
  };
}
