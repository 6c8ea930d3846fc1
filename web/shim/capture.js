// Media sources for a broadcast. Each returns { stream, stop() }: the MediaStream to
// record and preview, and a function that releases every device, timer and node.

export async function openCamera({ width = 1280, height = 720, frameRate = 30 } = {}) {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: frameRate } },
    audio: { echoCancellation: true, noiseSuppression: true },
  });
  return { stream, stop: () => stopTracks(stream) };
}

export async function openScreen({ frameRate = 30 } = {}) {
  const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: frameRate } }, audio: true });
  return { stream, stop: () => stopTracks(stream) };
}

const BARS = ['#c0c0c0', '#c0c000', '#00c0c0', '#00c000', '#c000c0', '#c00000', '#0000c0'];

// Colour bars with a running clock and a frame counter (so a viewer can read latency
// and see frames advance), plus a quiet tone. The canvas is opaque: a 2D canvas with
// alpha makes Chromium encode VP8 alpha, which the segmenter handles but costs more.
export function openTestPattern({ width = 640, height = 360, frameRate = 30, toneHz = 440 } = {}) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d', { alpha: false });
  let frame = 0;
  const draw = () => {
    const barWidth = width / BARS.length;
    BARS.forEach((colour, i) => {
      g.fillStyle = colour;
      g.fillRect(Math.floor(i * barWidth), 0, Math.ceil(barWidth), height);
    });
    // A block that moves every frame, so consecutive frames always differ.
    g.fillStyle = '#fff';
    g.fillRect((frame * 4) % width, height * 0.62, 16, 16);
    g.fillStyle = '#000';
    g.fillRect(0, height * 0.7, width, height * 0.3);
    g.fillStyle = '#fff';
    g.font = `${Math.round(height * 0.11)}px monospace`;
    g.textBaseline = 'middle';
    const clock = new Date().toISOString().slice(11, 23);
    g.fillText(`${clock}  #${frame}`, width * 0.04, height * 0.85);
    frame++;
  };
  draw();
  // setInterval, not requestAnimationFrame: rAF stops in a background tab.
  const timer = setInterval(draw, 1000 / frameRate);
  const video = canvas.captureStream(frameRate);

  const audio = new AudioContext();
  const oscillator = new OscillatorNode(audio, { frequency: toneHz });
  const gain = new GainNode(audio, { gain: 0.05 });
  const destination = new MediaStreamAudioDestinationNode(audio);
  oscillator.connect(gain).connect(destination);
  oscillator.start();
  // Without a user gesture the context may start suspended; a click resumes it later.
  audio.resume().catch(() => {});

  const stream = new MediaStream([...video.getVideoTracks(), ...destination.stream.getAudioTracks()]);
  return {
    stream,
    stop() {
      clearInterval(timer);
      stopTracks(stream);
      oscillator.stop();
      audio.close();
    },
  };
}

function stopTracks(stream) {
  for (const track of stream.getTracks()) track.stop();
}
