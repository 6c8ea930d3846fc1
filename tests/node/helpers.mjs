// Shared by the node:test suites: paths, the wasm core, and ffmpeg/ffprobe runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const mediaDir = join(root, 'build/media');
export const media = (name) => join(mediaDir, name);
export const readMedia = (name) => new Uint8Array(readFileSync(media(name)));
export const tempDir = (prefix) => mkdtempSync(join(tmpdir(), `swarmcast-${prefix}-`));

export const mediaFiles = [
  'vp8-opus-1s.webm', 'vp9-opus-1s.webm', 'vp8-opus-4s.webm', 'vp8-video-only.webm',
  'opus-audio-only.webm', 'vp8-alpha.webm', 'vp8-opus-live.webm',
];

export function runNode(script, args) {
  return spawnSync(process.execPath, [join(root, script), ...args], { encoding: 'utf8' });
}

// Decodes a file completely; returns ffmpeg's complaints (empty when it decodes cleanly).
// The frames keep the file's own (ms) timestamps: by default ffmpeg re-times them to
// the frame rate it guessed (1/30 s), and two recorder frames 12 ms apart in one such
// slot read as "non monotonically increasing dts to muxer in stream 0: 3 >= 3".
export function ffmpegErrors(path) {
  const run = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-enc_time_base', '-1', '-f', 'null', '-'],
    { encoding: 'utf8' });
  return run.status === 0 ? run.stderr.trim() : `exit ${run.status}: ${run.stderr.trim()}`;
}

// key_frame flag of the first decoded video frame.
export function firstVideoFrameIsKey(path) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_frames',
    '-read_intervals', '%+#1', '-show_entries', 'frame=key_frame', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return out.trim().split('\n')[0] === '1';
}

export function videoFrameCount(path) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames',
    '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return Number(out.trim());
}

// The container's start time in seconds (0 for a timeline that starts at 0).
export function startTimeS(path) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=start_time', '-of', 'csv=p=0', path],
    { encoding: 'utf8' });
  return Number(out.trim());
}

// Whether a process with this id exists (signal 0 only asks).
export function processRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
