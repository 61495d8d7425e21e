/**
 * The camera: the back camera's video, read for a QR code (@zxing/browser) until one is found.
 *
 * The page runs the reading loop itself and asks the library to decode one frame at a time.
 * The library's own loop (`decodeFromConstraints`) sizes its picture once, from the video's
 * dimensions when playback starts, and ends silently at the first error that is not "no code
 * in this frame"; a slow phone (or a loaded test machine) could start it before the first
 * frame, leaving a 0×0 picture whose every read throws, and the camera then filmed the coupon
 * for ever without a verdict. Here every attempt reads the frame the video has now, at the
 * size it has now, and whatever fails is simply tried again on the next frame.
 */

import { BrowserQRCodeReader } from "@zxing/browser";

const ATTEMPT_EVERY_MS = 150;

export class Scanner {
  private readonly reader = new BrowserQRCodeReader();
  private readonly picture = document.createElement("canvas");
  private stream: MediaStream | null = null;
  private timer: number | undefined;
  private scanning = false;
  /** Which start is current: a start overtaken by Stop (and perhaps another start) lets go. */
  private run = 0;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly startButton: HTMLElement,
    private readonly stopButton: HTMLElement,
    private readonly found: (text: string) => void,
    private readonly unavailable: () => void,
  ) {}

  async start(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    const run = ++this.run;
    const current = () => run === this.run; // Stop bumps the run too
    this.show(true);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      if (!current()) {
        stopTracks(stream);
        return;
      }
      this.stream = stream;
      this.video.srcObject = stream;
      await this.video.play();
    } catch {
      // Stopped while starting, play() was interrupted: that is not a missing camera.
      if (!current()) return;
      this.stop();
      this.unavailable();
      return;
    }
    if (current()) this.attempt();
  }

  stop(): void {
    this.scanning = false;
    this.run += 1;
    window.clearTimeout(this.timer);
    if (this.stream) stopTracks(this.stream);
    this.stream = null;
    this.video.srcObject = null;
    this.show(false);
  }

  private readonly attempt = (): void => {
    if (!this.scanning) return;
    const text = this.read();
    if (text === null) {
      this.timer = window.setTimeout(this.attempt, ATTEMPT_EVERY_MS);
      return;
    }
    this.stop();
    this.found(text);
  };

  /** The code in the video's current frame, or null: no frame yet, no code in it, or a frame
   * the decoder could not make sense of. */
  private read(): string | null {
    const { videoWidth: width, videoHeight: height } = this.video;
    if (width === 0 || height === 0) return null;
    if (this.picture.width !== width || this.picture.height !== height) {
      this.picture.width = width;
      this.picture.height = height;
    }
    const context = this.picture.getContext("2d", { willReadFrequently: true });
    if (!context) return null;
    context.drawImage(this.video, 0, 0, width, height);
    try {
      return this.reader.decodeFromCanvas(this.picture).getText();
    } catch {
      return null;
    }
  }

  private show(on: boolean): void {
    this.video.hidden = !on;
    this.startButton.hidden = on;
    this.stopButton.hidden = !on;
  }
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
