/// <reference path="./elements/tag-names.d.ts" preserve="true" />
// The package's browser entry (`import 'swarmcast'`): everything of the shim (Viewer,
// Broadcaster, MsePlayer, the source openers, loadCore, ...) and the two custom
// elements, which importing this module defines: <swarmcast-player> and
// <swarmcast-broadcaster>. It imports without a throw where there is no DOM (Node,
// server-side rendering); the elements are then only not defined.
export * from './shim/index.js';
export { SwarmcastPlayer } from './elements/swarmcast-player.js';
export { SwarmcastBroadcaster } from './elements/swarmcast-broadcaster.js';
