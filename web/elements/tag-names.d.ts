// The elements' tag names for TypeScript: document.createElement('swarmcast-player')
// is a SwarmcastPlayer. JSDoc cannot add to a global interface, so this one file is
// written by hand; web/index.js references it.
import type { SwarmcastPlayer } from './swarmcast-player.js';
import type { SwarmcastBroadcaster } from './swarmcast-broadcaster.js';

declare global {
  interface HTMLElementTagNameMap {
    'swarmcast-player': SwarmcastPlayer;
    'swarmcast-broadcaster': SwarmcastBroadcaster;
  }
}
