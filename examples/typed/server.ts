// A Node server typed by the declarations of `swarmcast/server`: standalone, then
// attached to an application's own http.Server.
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'swarmcast/server';
import type { IceServer, ServerLimits, ServerOptions, SwarmcastServer } from 'swarmcast/server';
import { loadCore } from 'swarmcast/core';

const iceServers: IceServer[] = [{ urls: 'turn:turn.example.org:3478', username: 'user', credential: 'secret' }];
const limits: ServerLimits = { maxRooms: 10, viewerLinks: 12 };
const options: ServerOptions = { origin: true, iceServers, limits, pages: true, path: '/signal', host: '127.0.0.1' };

const standalone: SwarmcastServer = createServer({ ...options, core: await loadCore() });
const url: string = await standalone.listen(8080);
console.log(url, standalone.url);
await standalone.close();

const app = createHttpServer((req, res) => res.end(`my site: ${req.url}`));
const attached = createServer({ iceServers }).attach(app);
app.listen(8081);
const attachedUrl: string | null = attached.url;
console.log(attachedUrl);
await attached.close();

// @ts-expect-error: origin is a boolean
createServer({ origin: 'yes' });
// @ts-expect-error: not an option
createServer({ prot: 8080 });
// @ts-expect-error: not a limit
createServer({ limits: { maxRoom: 10 } });
