/** The game socket `/v1/play` (docs/realtime.md): hello with resume, fixes from the buffer,
 * events once each, game actions, token renewal, reconnection. */

import { frameFor, type StoredFix } from "./buffer";

export interface PlayEvent {
  seq: number;
  kind: string;
  data: Record<string, unknown>;
}

export type Status = "connecting" | "online" | "offline";

/** The last event seq this device has handled, per player (not a secret: localStorage). */
export interface Cursor {
  get(): number | null;
  set(seq: number): void;
}

export interface Outbox {
  pending(limit?: number): Promise<StoredFix[]>;
  ack(id: number): Promise<void>;
}

export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface PlayOptions {
  url: string;
  token: () => Promise<string | null>;
  outbox: Outbox;
  cursor: Cursor;
  onEvent: (event: PlayEvent) => void;
  onStatus?: (status: Status) => void;
  onResync?: () => void;
  onError?: (code: string, message: string) => void;
  onClosed?: (code: number, reason: string) => void;
  /** The server has the fixes up to this one (a pong answered their batch). */
  onAck?: () => void;
  socket?: (url: string) => SocketLike;
  /** Reconnect after 1 s, 2 s, 4 s… up to this. */
  maxBackoffMs?: number;
  /** A `pong` that does not come within this time means the socket is dead. */
  ackTimeoutMs?: number;
}

const OPEN = 1;

export class Play {
  private ws: SocketLike | null = null;
  private welcomed = false;
  private inFlight: number | null = null;
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempts = 0;
  private stopped = true;
  private flushing = false;
  status: Status = "offline";

  constructor(private readonly options: PlayOptions) {}

  start(): void {
    this.stopped = false;
    if (!this.ws) void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.ws?.close(1000, "bye");
    this.drop();
  }

  /** The network came back: try now rather than after the backoff. */
  reconnectNow(): void {
    if (this.stopped || this.ws) return;
    this.attempts = 0;
    void this.connect();
  }

  /** The network is gone: stop trusting the socket, keep buffering. */
  offline(): void {
    const ws = this.ws;
    if (!ws) return;
    this.lost(); // detaches the socket's handlers first: its close is not reported twice
    ws.close(4000, "offline");
  }

  /** A fresh access token: extend this socket's session (a new `hello`). */
  renew(token: string): void {
    if (this.welcomed) this.sendFrame({ type: "hello", token });
  }

  /** A game action (`start`, `answer`); false when not connected. */
  act(frame: Record<string, unknown>): boolean {
    if (!this.welcomed) return false;
    this.sendFrame(frame);
    return true;
  }

  /** Send what the buffer holds, one batch at a time, each acknowledged by a pong. */
  async flush(): Promise<void> {
    if (!this.welcomed || this.inFlight !== null || this.flushing) return;
    this.flushing = true;
    try {
      const fixes = await this.options.outbox.pending();
      if (!fixes.length || !this.welcomed || this.inFlight !== null) return;
      this.inFlight = fixes[fixes.length - 1].id;
      this.sendFrame(frameFor(fixes));
      this.sendFrame({ type: "ping" });
      this.ackTimer = setTimeout(() => this.offline(), this.options.ackTimeoutMs ?? 15_000);
    } finally {
      this.flushing = false;
    }
  }

  private async connect(): Promise<void> {
    this.setStatus("connecting");
    const token = await this.options.token();
    if (!token || this.stopped) return this.setStatus("offline");
    const make = this.options.socket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    const ws = make(this.options.url);
    this.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "hello", token, resume_after: this.options.cursor.get() }));
    };
    ws.onmessage = (message) => {
      if (this.ws === ws) void this.receive(JSON.parse(String(message.data)) as Record<string, unknown>);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.options.onClosed?.(event.code, event.reason);
      this.lost();
    };
    ws.onerror = () => undefined; // a close follows
  }

  private async receive(frame: Record<string, unknown>): Promise<void> {
    switch (frame.type) {
      case "welcome":
        return this.welcome(Number(frame.last_seq));
      case "event":
        return this.event(frame as unknown as PlayEvent);
      case "pong":
        return this.pong();
      case "resync":
        this.options.onResync?.();
        return;
      case "error":
        this.options.onError?.(String(frame.code), String(frame.message));
        return;
    }
  }

  private welcome(lastSeq: number): void {
    const cursor = this.options.cursor;
    if (cursor.get() === null || (cursor.get() ?? 0) > lastSeq) cursor.set(lastSeq);
    this.welcomed = true;
    this.attempts = 0;
    this.setStatus("online");
    void this.flush();
  }

  private event(event: PlayEvent): void {
    const last = this.options.cursor.get();
    if (last !== null && event.seq <= last) return; // already handled: never twice
    this.options.cursor.set(event.seq);
    this.options.onEvent(event);
  }

  private async pong(): Promise<void> {
    const acked = this.inFlight;
    if (acked === null) return;
    if (this.ackTimer !== null) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    await this.options.outbox.ack(acked);
    this.inFlight = null;
    this.options.onAck?.();
    await this.flush();
  }

  private sendFrame(frame: Record<string, unknown>): void {
    if (this.ws?.readyState === OPEN) this.ws.send(JSON.stringify(frame));
  }

  private lost(): void {
    this.drop();
    this.setStatus("offline");
    if (this.stopped) return;
    const delay = Math.min(1000 * 2 ** this.attempts, this.options.maxBackoffMs ?? 30_000);
    this.attempts += 1;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.ws && !this.stopped) void this.connect();
    }, delay);
  }

  private drop(): void {
    if (this.ws) {
      this.ws.onmessage = this.ws.onclose = this.ws.onopen = null;
    }
    this.ws = null;
    this.welcomed = false;
    this.inFlight = null; // not acknowledged: the fixes stay buffered and go again
    if (this.ackTimer !== null) clearTimeout(this.ackTimer);
    this.ackTimer = null;
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private setStatus(status: Status): void {
    this.status = status;
    this.options.onStatus?.(status);
  }
}

export function localCursor(playerId: string, storage: Storage = localStorage): Cursor {
  const key = `lupiae.seq.${playerId}`;
  return {
    get: () => {
      const value = storage.getItem(key);
      return value === null ? null : Number(value);
    },
    set: (seq) => storage.setItem(key, String(seq)),
  };
}
