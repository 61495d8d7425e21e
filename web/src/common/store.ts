/** The app's one IndexedDB database: the session (refresh token) and the buffered fixes.
 * Secrets never go to localStorage; IndexedDB is private to this origin like the cookies are. */

import { openDB, type DBSchema, type IDBPDatabase } from "idb";

export interface Fix {
  lat: number;
  lon: number;
  accuracy: number;
  ts: number;
}

export interface StoredSession {
  playerId: string;
  refreshToken: string;
  accessToken: string;
  accessExpiresAt: number; // ms since the epoch
}

interface Schema extends DBSchema {
  kv: { key: string; value: unknown };
  fixes: { key: number; value: Fix & { id?: number } };
}

export type Database = IDBPDatabase<Schema>;

export function openStore(name = "lupiae"): Promise<Database> {
  return openDB<Schema>(name, 1, {
    upgrade(db) {
      db.createObjectStore("kv");
      db.createObjectStore("fixes", { keyPath: "id", autoIncrement: true });
    },
  });
}

/** The session in the `kv` store (see player/auth.ts). */
export function sessionStore(db: Database): {
  load(): Promise<StoredSession | null>;
  save(session: StoredSession | null): Promise<void>;
} {
  return {
    async load() {
      return ((await db.get("kv", "session")) as StoredSession | undefined) ?? null;
    },
    async save(session) {
      if (session) await db.put("kv", session, "session");
      else await db.delete("kv", "session");
    },
  };
}
