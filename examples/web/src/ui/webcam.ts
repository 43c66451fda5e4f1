/** The webcam: a live preview and one frame of it as 8-bit RGB. */
import type { RgbImage } from '../engine/protocol';

/** Starts the camera into `video` (the browser asks the user first). */
export async function startWebcam(video: HTMLVideoElement): Promise<void> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser gives no camera to this page (it needs https or 127.0.0.1)');
  video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  await video.play();
}

/** The current frame as RGB. */
export function captureFrame(video: HTMLVideoElement): RgbImage {
  const width = video.videoWidth;
  const height = video.videoHeight;
  if (!width || !height) throw new Error('the camera has not delivered a frame yet');
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext('2d')!;
  g.drawImage(video, 0, 0);
  const rgba = g.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    rgb[3 * i] = rgba[4 * i];
    rgb[3 * i + 1] = rgba[4 * i + 1];
    rgb[3 * i + 2] = rgba[4 * i + 2];
  }
  return { rgb, width, height };
}
