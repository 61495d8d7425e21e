/** The camera: @zxing/browser reads QR codes from the video until one is found. */

import { BrowserQRCodeReader, type IScannerControls } from "@zxing/browser";

export class Scanner {
  private controls: IScannerControls | null = null;
  private scanning = false;

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
    this.show(true);
    try {
      const reader = new BrowserQRCodeReader(undefined, { delayBetweenScanAttempts: 150 });
      // A code may be read before the controls are handed back: take the first one only.
      const controls = await reader.decodeFromConstraints(
        { video: { facingMode: "environment" } },
        this.video,
        (result) => {
          if (!result || !this.scanning) return;
          const text = result.getText();
          this.stop();
          this.found(text);
        },
      );
      if (this.scanning) this.controls = controls;
      else controls.stop();
    } catch {
      this.stop();
      this.unavailable();
    }
  }

  stop(): void {
    this.scanning = false;
    this.controls?.stop();
    this.controls = null;
    this.show(false);
  }

  private show(on: boolean): void {
    this.video.hidden = !on;
    this.startButton.hidden = on;
    this.stopButton.hidden = !on;
  }
}
