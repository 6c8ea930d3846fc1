// The chat panel of the watch and broadcast pages: the lines as they arrive through the
// swarm, the reactions, and a form to post with a name kept across visits.
import { CHAT_REACTIONS } from '../shim/index.js';
import { keep, readKept } from '../shim/kept.js';

const NAME_KEY = 'swarmcast.chatName';
const MAX_LINES = 200;  // older lines leave the panel

const REFUSALS = {
  flooding: 'Slow down: a line a second.',
  not_joined: 'Not connected to the stream yet.',
};

function lineElement({ kind, name, text, fromBroadcaster, mine }) {
  const item = document.createElement('li');
  item.className = `chat-line${kind === 'reaction' ? ' reaction' : ''}${mine ? ' mine' : ''}`;
  const who = document.createElement('span');
  who.className = 'chat-name';
  who.textContent = name || (fromBroadcaster ? 'Streamer' : 'Viewer');
  if (fromBroadcaster) {
    const badge = document.createElement('span');
    badge.className = 'chat-badge';
    badge.textContent = 'streamer';
    who.append(' ', badge);
  }
  const said = document.createElement('span');
  said.className = 'chat-text';
  said.textContent = text;
  item.append(who, ' ', said);
  return item;
}

const PANEL = `
  <h2>Chat</h2>
  <ol id="chat-lines" class="chat-lines" aria-live="polite"></ol>
  <div id="chat-reactions" class="chat-reactions"></div>
  <form id="chat-form" class="chat-form">
    <input id="chat-name" maxlength="32" placeholder="Your name" autocomplete="nickname" aria-label="Your name">
    <input id="chat-text" maxlength="500" placeholder="Say something" autocomplete="off" aria-label="Message">
    <button>Send</button>
  </form>
  <p id="chat-status" class="hint" role="status"></p>
  <p class="hint">Lines go from viewer to viewer, signed by whoever wrote them.</p>`;

// Fills the empty `root` with the panel; `source` is a Viewer or a Broadcaster (its
// `chat` voice, its 'chat' events).
export function wireChat(root, source) {
  root.innerHTML = PANEL;
  const voice = source.chat;
  const $ = (id) => root.querySelector(`#${id}`);
  const lines = $('chat-lines');
  const status = (text) => { $('chat-status').textContent = text; };
  const post = (send) => {
    let result;
    try {
      result = send();
    } catch (error) {
      status(error instanceof RangeError ? 'Too long: a name of at most 32 bytes, a line of at most 500.' : error.message);
      return false;
    }
    status(REFUSALS[result] ?? (result === 'new' ? '' : `Not sent (${result}).`));
    return result === 'new';
  };

  voice.name = readKept(NAME_KEY) ?? '';
  $('chat-name').value = voice.name;
  $('chat-name').addEventListener('change', () => {
    voice.name = $('chat-name').value.trim();
    keep(NAME_KEY, voice.name);
  });
  $('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('chat-text').value.trim();
    if (text && post(() => voice.say(text))) $('chat-text').value = '';
  });
  $('chat-reactions').replaceChildren(...CHAT_REACTIONS.map((emoji) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary reaction-button';
    button.textContent = emoji;
    button.setAttribute('aria-label', `React ${emoji}`);
    button.addEventListener('click', () => post(() => voice.react(emoji)));
    return button;
  }));
  source.addEventListener('chat', ({ detail }) => {
    // Keep the view at the newest line only if the reader was already there.
    const atEnd = lines.scrollTop + lines.clientHeight >= lines.scrollHeight - 4;
    lines.append(lineElement(detail));
    while (lines.children.length > MAX_LINES) lines.firstElementChild.remove();
    if (atEnd) lines.scrollTop = lines.scrollHeight;
  });
}
