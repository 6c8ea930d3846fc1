// The built site (dist/, from `npx vite build`) and swarmcast's signaling on one
// http.Server. PORT picks the port (default 8080; 0: any free one).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createServer as createSwarmcastServer } from 'swarmcast/server';

const dist = new URL('./dist/', import.meta.url);
const types = { html: 'text/html', js: 'text/javascript', css: 'text/css', wasm: 'application/wasm' };

const server = createServer((req, res) => {
  // The URL parser resolves '..': the file stays inside dist/.
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const file = new URL(`.${pathname.endsWith('/') ? `${pathname}index.html` : pathname}`, dist);
  readFile(file).then(
    (body) => res.writeHead(200, { 'Content-Type': types[file.pathname.split('.').pop()] ?? 'application/octet-stream' }).end(body),
    () => res.writeHead(404).end('not found'));
});
createSwarmcastServer().attach(server);
server.listen(Number(process.env.PORT ?? 8080), () => console.log(`listening on http://localhost:${server.address().port}/`));
