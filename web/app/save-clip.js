// The Clip button on the watch and broadcast pages: saves the last 30 s of the stream
// (Viewer.clip() / Broadcaster.clip()) as a WebM file the browser downloads.
const pad = (n) => String(n).padStart(2, '0');

// swarmcast-<first 8 of the stream id>-<local date and time>.webm
export function clipFileName(streamId, at = new Date()) {
  const date = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}`;
  const time = `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  return `swarmcast-${streamId.slice(0, 8)}-${date}-${time}.webm`;
}

// `source`: a Viewer or a Broadcaster. `say(text)` shows why nothing was saved (on a
// line of its own: a page's error line may hold a failure the click must not hide).
export function wireClipButton(button, source, say) {
  button.addEventListener('click', () => {
    let clip;
    try {
      clip = source.clip();
    } catch (error) {
      say(`Cannot save a clip: ${error.message}`);
      return;
    }
    if (!clip) {
      say('Nothing to clip yet: the stream has not started playing.');
      return;
    }
    say('');
    const link = document.createElement('a');
    link.href = URL.createObjectURL(clip);
    link.download = clipFileName(source.streamId);
    document.body.append(link);
    link.click();
    link.remove();
    // The download has its own copy once started; the URL only holds the Blob in memory.
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  });
}
