/** The city drawn at once as SVG — walls, district, shopping streets, sites — in the same view
 * and colours as the MapLibre map that replaces it when the player starts or touches the map.
 *
 * MapLibre is 290 KB (gzipped) of script plus a worker, and its WebGL start blocks a phone's
 * main thread for seconds; a first visit only needs to see the city. This module is a few
 * hundred bytes and imports nothing, so the sites are on screen as soon as their JSON arrives
 * (docs/web.md, "Performance"). */

import type { Feature, FeatureCollection, Position } from "geojson";

/** The map's first view, shared by the sketch and MapLibre (`map.ts`). */
export const CENTER: [number, number] = [18.1705, 40.3525];
export const ZOOM = 14.6;

export const COLOURS = {
  background: "#f3ede2",
  walls: "#7a3b12",
  district: "#d9a441",
  districtLine: "#b07a16",
  street: "#9a5b1e",
  gate: "#7a3b12",
  church: "#3b5b92",
  site: "#2f7d4f",
};

/** The circle radius MapLibre draws at ZOOM (interpolated from 4 px at z13 to 10 px at z17). */
const SITE_RADIUS = 4 + ((ZOOM - 13) / 4) * 6;
const SVG = "http://www.w3.org/2000/svg";
const TILE = 512;

/** Web Mercator pixels at `zoom`, as MapLibre places them. */
export function project([lon, lat]: Position, zoom = ZOOM): [number, number] {
  const scale = TILE * 2 ** zoom;
  const sin = Math.sin((lat * Math.PI) / 180);
  return [((lon + 180) / 360) * scale, (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale];
}

function element<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

/** Lines and rings of a geometry, each as a list of positions. */
function lines(feature: Feature): Position[][] {
  const g = feature.geometry;
  switch (g?.type) {
    case "LineString":
      return [g.coordinates];
    case "MultiLineString":
    case "Polygon":
      return g.coordinates;
    case "MultiPolygon":
      return g.coordinates.flat();
    default:
      return [];
  }
}

function point(feature: Feature): Position | null {
  const g = feature.geometry;
  if (g?.type === "Point") return g.coordinates;
  if (g?.type === "Polygon") {
    const ring = g.coordinates[0];
    return [ring.reduce((s, p) => s + p[0], 0) / ring.length, ring.reduce((s, p) => s + p[1], 0) / ring.length];
  }
  return null;
}

export interface Sketch {
  svg: SVGSVGElement;
  /** Sites drawn (every site of the content; those of other comuni fall outside the view). */
  sites: number;
  /** Shopping streets drawn, likewise. */
  streets: number;
}

/** Draw the city into `container` (replacing a previous sketch) centred as the map will be. */
export function drawSketch(
  container: HTMLElement,
  areas: FeatureCollection,
  sites: FeatureCollection,
  streets: FeatureCollection | null,
  label: string,
): Sketch {
  const width = container.clientWidth || 360;
  const height = container.clientHeight || 300;
  const [cx, cy] = project(CENTER);
  const at = (p: Position): string => {
    const [x, y] = project(p);
    return `${(x - cx + width / 2).toFixed(1)} ${(y - cy + height / 2).toFixed(1)}`;
  };
  const path = (feature: Feature, close: boolean) =>
    lines(feature).map((line) => `M${line.map(at).join("L")}${close ? "Z" : ""}`).join("");
  const role = (feature: Feature) => String(feature.properties?.role ?? "");

  const svg = element("svg", {
    class: "sketch",
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: "xMidYMid slice",
    role: "img",
    "aria-label": label,
  });
  svg.append(element("rect", { width, height, fill: COLOURS.background }));
  for (const area of areas.features.filter((f) => role(f) === "district")) {
    const d = path(area, true);
    svg.append(element("path", { d, fill: COLOURS.district, "fill-opacity": 0.18 }));
    svg.append(element("path", { d, fill: "none", stroke: COLOURS.districtLine, "stroke-width": 1.5, "stroke-dasharray": "3 3" }));
  }
  for (const street of streets?.features ?? []) {
    svg.append(element("path", { d: path(street, false), fill: "none", stroke: COLOURS.street, "stroke-width": 4, "stroke-opacity": 0.55, "stroke-linecap": "round" }));
  }
  for (const wall of areas.features.filter((f) => role(f) === "old_town")) {
    svg.append(element("path", { d: path(wall, true), fill: "none", stroke: COLOURS.walls, "stroke-width": 3 }));
  }
  let drawn = 0;
  for (const site of sites.features) {
    const p = point(site);
    if (!p) continue;
    const [x, y] = at(p).split(" ");
    const kind = String(site.properties?.kind ?? "");
    const fill = kind === "gate" ? COLOURS.gate : kind === "church" ? COLOURS.church : COLOURS.site;
    svg.append(element("circle", { cx: x, cy: y, r: SITE_RADIUS.toFixed(1), fill, stroke: "#fff", "stroke-width": 2 }));
    drawn += 1;
  }
  container.querySelector("svg.sketch")?.remove();
  container.prepend(svg);
  return { svg, sites: drawn, streets: streets?.features.length ?? 0 };
}
