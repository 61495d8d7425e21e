/** What every view of the player app can reach: session, API, sites, navigation, toasts. */

import type { Feature, FeatureCollection } from "geojson";
import { request, type RequestOptions } from "../common/api";
import type { I18n } from "../common/i18n";
import type { Auth } from "./auth";
import type { Play, PlayEvent } from "./play";

export interface Site {
  slug: string;
  name: string;
  description: string;
  kind: string;
  outside_walls: boolean;
  opening_hours: import("./hours").TimeWindow[] | null;
  lon: number;
  lat: number;
}

export type Tab = "sites" | "quests" | "rewards" | "ranks" | "team" | "account";

export interface Ctx {
  i18n: I18n;
  auth: Auth;
  play: Play | null;
  sites: Map<string, Site>;
  /** Where the player is now (the slug of a site they entered and did not leave). */
  here: Set<string>;
  events: PlayEvent[];
  api<T>(path: string, options?: RequestOptions): Promise<T>;
  go(tab: Tab, detail?: string): void;
  rerender(): void;
  showSite(slug: string): void;
  showSteps(features: Feature[], done: Set<string>): void;
  toast(text: string): void;
}

export function sitesFrom(collection: FeatureCollection): Map<string, Site> {
  const sites = new Map<string, Site>();
  for (const feature of collection.features) {
    const p = feature.properties as Record<string, unknown>;
    const [lon, lat] = center(feature);
    sites.set(String(p.slug), {
      slug: String(p.slug),
      name: String(p.name),
      description: String(p.description ?? ""),
      kind: String(p.kind),
      outside_walls: Boolean(p.outside_walls),
      opening_hours: (p.opening_hours as Site["opening_hours"]) ?? null,
      lon,
      lat,
    });
  }
  return sites;
}

function center(feature: Feature): [number, number] {
  const g = feature.geometry;
  if (g.type === "Point") return [g.coordinates[0], g.coordinates[1]];
  if (g.type === "Polygon") {
    const ring = g.coordinates[0];
    const sum = ring.reduce((acc, [x, y]) => [acc[0] + x, acc[1] + y], [0, 0]);
    return [sum[0] / ring.length, sum[1] / ring.length];
  }
  return [0, 0];
}

export function apiFor(auth: Auth, i18n: I18n) {
  return async <T>(path: string, options: RequestOptions = {}): Promise<T> =>
    request<T>(path, { language: i18n.language, ...options, token: await auth.token() });
}
