import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { StoredFix } from "./buffer";
import { Play, type Cursor, type PlayEvent, type SocketLike } from "./play";

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  constructor() {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(frame: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  types() {
    return this.sent.map((f) => f.type);
  }
}

function memoryOutbox(fixes: StoredFix[]) {
  return {
    fixes,
    async pending(limit = 600) {
      return this.fixes.slice(0, limit);
    },
    async ack(id: number) {
      this.fixes = this.fixes.filter((f) => f.id > id);
    },
  };
}

function memoryCursor(value: number | null = null): Cursor & { value: number | null } {
  return {
    value,
    get() {
      return this.value;
    },
    set(seq) {
      this.value = seq;
    },
  };
}

const stored = (id: number): StoredFix => ({ id, lat: 40.35, lon: 18.17, accuracy: 8, ts: id * 1_000 });
const settle = () => vi.advanceTimersByTimeAsync(0);

function setup(fixes: StoredFix[], cursor = memoryCursor()) {
  const events: PlayEvent[] = [];
  const outbox = memoryOutbox(fixes);
  let token = "token-1";
  const play = new Play({
    url: "ws://test/v1/play",
    token: async () => token,
    outbox,
    cursor,
    onEvent: (e) => events.push(e),
    socket: () => new FakeSocket(),
  });
  return { play, events, outbox, cursor, setToken: (t: string) => (token = t) };
}

describe("the game socket", () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it("sends the buffered fixes as one batch after welcome and forgets them on pong", async () => {
    const { play, outbox } = setup([stored(1), stored(2), stored(3)]);
    play.start();
    await settle();
    const ws = FakeSocket.all[0];
    ws.open();
    expect(ws.sent[0]).toEqual({ type: "hello", token: "token-1", resume_after: null });
    ws.receive({ type: "welcome", player_id: "p", last_seq: 0 });
    await settle();
    expect(ws.types()).toEqual(["hello", "positions", "ping"]);
    expect((ws.sent[1].fixes as unknown[]).length).toBe(3);
    expect(outbox.fixes.length).toBe(3); // not yet acknowledged
    ws.receive({ type: "pong" });
    await settle();
    expect(outbox.fixes).toEqual([]);
  });

  it("a socket lost before the pong sends the same fixes again after reconnecting", async () => {
    const { play, outbox } = setup([stored(1), stored(2)]);
    play.start();
    await settle();
    const first = FakeSocket.all[0];
    first.open();
    first.receive({ type: "welcome", player_id: "p", last_seq: 0 });
    await settle();
    first.close(1006, "network");
    await vi.advanceTimersByTimeAsync(1_000);
    const second = FakeSocket.all[1];
    second.open();
    second.receive({ type: "welcome", player_id: "p", last_seq: 0 });
    await settle();
    expect(second.sent[1]).toEqual(first.sent[1]);
    second.receive({ type: "pong" });
    await settle();
    expect(outbox.fixes).toEqual([]);
  });

  it("resumes after the last event handled and never hands an event on twice", async () => {
    const cursor = memoryCursor(41);
    const { play, events } = setup([], cursor);
    play.start();
    await settle();
    const ws = FakeSocket.all[0];
    ws.open();
    expect(ws.sent[0].resume_after).toBe(41);
    ws.receive({ type: "welcome", player_id: "p", last_seq: 44 });
    for (const seq of [41, 42, 43, 42, 44]) ws.receive({ type: "event", seq, kind: "poi.visit", data: {} });
    expect(events.map((e) => e.seq)).toEqual([42, 43, 44]);
    expect(cursor.value).toBe(44);
    ws.close(1013, "slow");
    await vi.advanceTimersByTimeAsync(1_000);
    const again = FakeSocket.all[1];
    again.open();
    expect(again.sent[0].resume_after).toBe(44);
  });

  it("a cursor ahead of the server (resync) starts again from the server's last seq", async () => {
    const cursor = memoryCursor(99);
    const { play } = setup([], cursor);
    play.start();
    await settle();
    FakeSocket.all[0].open();
    FakeSocket.all[0].receive({ type: "welcome", player_id: "p", last_seq: 7 });
    expect(cursor.value).toBe(7);
  });

  it("renews the session on the open socket with a fresh token, and reconnects with it", async () => {
    const { play, setToken } = setup([]);
    play.start();
    await settle();
    const ws = FakeSocket.all[0];
    ws.open();
    ws.receive({ type: "welcome", player_id: "p", last_seq: 0 });
    setToken("token-2");
    play.renew("token-2");
    expect(ws.sent.at(-1)).toEqual({ type: "hello", token: "token-2" });
    ws.close(1008, "token expired");
    await vi.advanceTimersByTimeAsync(1_000);
    FakeSocket.all[1].open();
    expect(FakeSocket.all[1].sent[0].token).toBe("token-2");
  });

  it("a pong that never comes closes the socket; the fixes stay", async () => {
    const { play, outbox } = setup([stored(1)]);
    play.start();
    await settle();
    const ws = FakeSocket.all[0];
    ws.open();
    ws.receive({ type: "welcome", player_id: "p", last_seq: 0 });
    await settle();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(ws.readyState).toBe(3);
    expect(play.status).not.toBe("online");
    expect(outbox.fixes.length).toBe(1);
  });
});
