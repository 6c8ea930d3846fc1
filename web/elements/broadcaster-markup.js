// <swarmcast-broadcaster>'s shadow DOM: the preview with its badge and status, the
// source picker and the go-live controls, the share link, the title and tags.
// Theming: the --swarmcast-* custom properties (shared-style.js); ::part(stage |
// video | badge | viewers | status | controls | source | button | <name>-button |
// error | share | share-link | describe | title | tags).
import { SHARED_STYLE } from './shared-style.js';

export const BROADCASTER_MARKUP = `
<style>
  ${SHARED_STYLE}
  .stage { position: relative; background: #000; aspect-ratio: 16 / 9; border-radius: var(--swarmcast-radius, 8px); overflow: hidden; }
  video { width: 100%; height: 100%; display: block; object-fit: contain; }
  .badge {
    position: absolute; top: 8px; left: 8px; display: flex; gap: 8px; align-items: center;
    padding: 2px 8px; border-radius: 4px; background: var(--swarmcast-live, #e5484d); font-weight: 600; font-size: 0.8rem;
  }
  .badge span { font-weight: normal; }
  .controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 12px 0; }
  .controls label { display: flex; gap: 6px; align-items: center; min-height: 44px; max-width: 100%; }
  .error { color: var(--swarmcast-live, #e5484d); margin: 0 0 12px; }
  .error:empty { display: none; }
  .share { display: flex; gap: 8px; align-items: center; }
  .share input { flex: 1; }
  .hint { color: var(--swarmcast-muted, #9a9ca3); font-size: 0.9rem; }
  .describe { display: grid; gap: 8px; }
  .describe label { display: grid; gap: 4px; color: var(--swarmcast-muted, #9a9ca3); }
</style>
<div class="stage" part="stage">
  <video id="preview" part="video" muted playsinline autoplay></video>
  <div id="live-badge" class="badge" part="badge" hidden>LIVE <span id="viewers" part="viewers"></span></div>
  <div id="status" class="status" part="status">Loading…</div>
</div>
<div class="controls" part="controls">
  <label>Source
    <select id="source" part="source">
      <option value="test">Test pattern</option>
      <option value="camera">Camera + microphone</option>
      <option value="screen">Screen</option>
      <option value="screen-camera">Screen + camera (picture-in-picture)</option>
    </select>
  </label>
  <button id="preview-button" class="secondary" part="button preview-button">Preview</button>
  <button id="go-live" part="button go-live-button" disabled>Go live</button>
  <button id="stop" class="danger" part="button stop-button" disabled>Stop</button>
</div>
<p id="error" class="error" part="error" role="alert"></p>
<div class="share" part="share">
  <input id="share-link" part="share-link" readonly aria-label="Share link">
  <button id="copy" class="secondary" part="button copy-button">Copy</button>
</div>
<p class="hint">Viewers open this link. It stays the same for this browser.</p>
<div class="describe" part="describe">
  <label>Title <input id="title" part="title" maxlength="80" placeholder="What are you streaming?" autocomplete="off"></label>
  <label>Tags <input id="tags" part="tags" placeholder="music, late-night" autocomplete="off"></label>
</div>
<p class="hint">The live list shows the title, the tags and a picture of the stream.</p>`;
