// The stream comes from the share link (?stream=ID); the signaling server is this
// page's own origin (/signal), which server.js mounts beside the site.
import 'swarmcast';

const streamId = new URLSearchParams(location.search).get('stream');
const player = document.querySelector('swarmcast-player');
const hint = document.querySelector('#hint');
if (streamId && player) player.stream = streamId;
else if (hint) hint.hidden = false;
