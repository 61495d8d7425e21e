/** The city map: walls, district, sites and the player, on a basemap or a plain background. */

import * as maplibregl from "maplibre-gl";
import type { FilterSpecification, GeoJSONSource, LineLayerSpecification, StyleSpecification } from "maplibre-gl";
import type { FeatureCollection as GeoCollection } from "geojson";
import "maplibre-gl/dist/maplibre-gl.css";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url";
import { CENTER, COLOURS, ZOOM } from "./sketch";

maplibregl.setWorkerUrl(workerUrl);

export type FeatureCollection = GeoCollection;

/** Without a basemap style URL: the city's own layers on a plain background (works offline). */
export const PLAIN_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: "background", type: "background", paint: { "background-color": COLOURS.background } }],
};

const EMPTY: FeatureCollection = { type: "FeatureCollection", features: [] };

/** What the app uses of the map; the module is loaded on its own (dynamic import) when the
 * player starts or touches the map: until then the city is an SVG sketch (`sketch.ts`). */
export interface CityMap {
  map: maplibregl.Map;
  ready: Promise<void>;
  draw(areas: FeatureCollection, sites: FeatureCollection, streets: FeatureCollection | null): void;
  setData(source: string, data: FeatureCollection): void;
  showMe(lon: number, lat: number): void;
  onSiteClick(handler: (slug: string) => void): void;
}

export function createMap(container: HTMLElement, styleUrl: string | null, label: string): CityMap {
  const map = new maplibregl.Map({
    container,
    style: styleUrl ?? PLAIN_STYLE,
    center: CENTER,
    zoom: ZOOM,
    attributionControl: styleUrl ? {} : false,
    fadeDuration: 0,
    pixelRatio: Math.min(globalThis.devicePixelRatio || 1, 2),
  });
  map.getCanvas().setAttribute("aria-label", label);
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  const ready = new Promise<void>((resolve) => map.once("load", () => resolve()));
  return {
    map,
    ready,
    draw: (areas, sites, streets) => drawCity(map, areas, sites, streets),
    setData: (source, data) => setData(map, source, data),
    showMe: (lon, lat) => showMe(map, lon, lat),
    onSiteClick: (handler) =>
      map.on("click", "sites", (e) => {
        const slug = e.features?.[0]?.properties?.slug;
        if (slug) handler(String(slug));
      }),
  };
}

/** The areas (`areas` source) of one role: the old town inside its walls, the district. */
function hasRole(role: string): FilterSpecification {
  return ["==", ["get", "role"], role];
}

/** The outline of the areas of `role`, as a line layer. */
function outline(map: maplibregl.Map, id: string, role: string, paint: LineLayerSpecification["paint"]): void {
  map.addLayer({ id, type: "line", source: "areas", filter: hasRole(role), paint });
}

export function drawCity(
  map: maplibregl.Map,
  areas: FeatureCollection,
  sites: FeatureCollection,
  streets: FeatureCollection | null,
): void {
  map.addSource("areas", { type: "geojson", data: areas });
  map.addSource("streets", { type: "geojson", data: streets ?? EMPTY });
  map.addSource("sites", { type: "geojson", data: sites });
  map.addSource("steps", { type: "geojson", data: EMPTY });
  map.addSource("me", { type: "geojson", data: EMPTY });
  map.addLayer({
    id: "district",
    type: "fill",
    source: "areas",
    filter: hasRole("district"),
    paint: { "fill-color": COLOURS.district, "fill-opacity": 0.18 },
  });
  map.addLayer({
    id: "streets",
    type: "line",
    source: "streets",
    layout: { "line-cap": "round" },
    paint: { "line-color": COLOURS.street, "line-width": 4, "line-opacity": 0.55 },
  });
  outline(map, "walls", "old_town", { "line-color": COLOURS.walls, "line-width": 3 });
  outline(map, "district-line", "district", { "line-color": COLOURS.districtLine, "line-width": 1.5, "line-dasharray": [2, 2] });
  map.addLayer({
    id: "sites",
    type: "circle",
    source: "sites",
    paint: {
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 13, 4, 17, 10],
      "circle-color": ["match", ["get", "kind"], "gate", COLOURS.gate, "church", COLOURS.church, COLOURS.site],
      "circle-stroke-color": "#ffffff",
      "circle-stroke-width": 2,
    },
  });
  map.addLayer({
    id: "steps",
    type: "circle",
    source: "steps",
    paint: {
      "circle-radius": 14,
      "circle-color": "rgba(0,0,0,0)",
      "circle-stroke-color": ["case", ["get", "done"], "#2f7d4f", "#c2410c"],
      "circle-stroke-width": 3,
    },
  });
  map.addLayer({
    id: "me",
    type: "circle",
    source: "me",
    paint: { "circle-radius": 8, "circle-color": "#1d4ed8", "circle-stroke-color": "#fff", "circle-stroke-width": 3 },
  });
}

export function setData(map: maplibregl.Map, source: string, data: FeatureCollection): void {
  (map.getSource(source) as GeoJSONSource | undefined)?.setData(data);
}

export function showMe(map: maplibregl.Map, lon: number, lat: number): void {
  setData(map, "me", {
    type: "FeatureCollection",
    features: [{ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [lon, lat] } }],
  });
}
