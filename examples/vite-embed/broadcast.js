// Viewers watch on this site's own player page: the share link is ./?stream=ID.
import 'swarmcast';

const broadcaster = document.querySelector('swarmcast-broadcaster');
if (broadcaster) broadcaster.watchUrl = new URL('./?stream=', location.href).href;
