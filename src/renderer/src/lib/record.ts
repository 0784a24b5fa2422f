/** Records `seconds` of a camera stream as a WebM clip (what the engine's ffmpeg reads), video only. */
export function recordClip(stream: MediaStream, seconds: number, onTick?: (left: number) => void): Promise<Uint8Array> {
  const type = ['video/webm;codecs=vp8', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t));
  if (!type) return Promise.reject(new Error('this browser cannot record video (no WebM MediaRecorder)'));
  const video = new MediaStream(stream.getVideoTracks());
  const recorder = new MediaRecorder(video, { mimeType: type });
  const chunks: Blob[] = [];
  return new Promise((resolve, reject) => {
    recorder.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    recorder.onerror = () => reject(new Error('recording failed'));
    recorder.onstop = () => {
      void new Blob(chunks, { type: 'video/webm' }).arrayBuffer().then((b) => resolve(new Uint8Array(b)), reject);
    };
    recorder.start(250);
    let left = seconds;
    onTick?.(left);
    const timer = setInterval(() => {
      left -= 1;
      onTick?.(Math.max(0, left));
      if (left <= 0) {
        clearInterval(timer);
        recorder.stop();
      }
    }, 1000);
  });
}

/** Waits `ms` (between captured frames, so they differ a little). */
export const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
