/** A quest of an unpublished bundle on the map: each step's fence, a numbered marker at its
 * centre in step order, and the route of a sequence quest (from the preview endpoint). */

import * as maplibregl from "maplibre-gl";
import type { StyleSpecification } from "maplibre-gl";
import type { Feature, FeatureCollection } from "geojson";
import "maplibre-gl/dist/maplibre-gl.css";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url";

maplibregl.setWorkerUrl(workerUrl);

const PLAIN: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: "background", type: "background", paint: { "background-color": "#f3ede2" } }],
};

export interface StepProps {
  order: number;
  name: string;
  kind: string;
  poi: string;
  radius_m: number | null;
  center: [number, number];
}

export function steps(collection: FeatureCollection): StepProps[] {
  return collection.features
    .filter((f: Feature) => f.geometry.type === "Polygon")
    .map((f) => f.properties as StepProps)
    .sort((a, b) => a.order - b.order);
}

function bounds(collection: FeatureCollection): maplibregl.LngLatBounds {
  const box = new maplibregl.LngLatBounds();
  for (const step of steps(collection)) box.extend(step.center);
  return box;
}

export function drawPreview(container: HTMLElement, collection: FeatureCollection, label: string): maplibregl.Map {
  const map = new maplibregl.Map({ container, style: PLAIN, bounds: bounds(collection), fitBoundsOptions: { padding: 40 }, attributionControl: false });
  map.getCanvas().setAttribute("aria-label", label);
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.once("load", () => {
    map.addSource("preview", { type: "geojson", data: collection });
    map.addLayer({ id: "fences", type: "fill", source: "preview", filter: ["==", ["geometry-type"], "Polygon"], paint: { "fill-color": "#3b5b92", "fill-opacity": 0.25 } });
    map.addLayer({ id: "fence-lines", type: "line", source: "preview", filter: ["==", ["geometry-type"], "Polygon"], paint: { "line-color": "#3b5b92", "line-width": 2 } });
    map.addLayer({ id: "route", type: "line", source: "preview", filter: ["==", ["geometry-type"], "LineString"], paint: { "line-color": "#7a3b12", "line-width": 3, "line-dasharray": [2, 1] } });
    // One marker per site, numbered with every step taken there ("2, 4").
    const bySite = new Map<string, StepProps[]>();
    for (const step of steps(collection)) bySite.set(step.poi, [...(bySite.get(step.poi) ?? []), step]);
    for (const [, here] of bySite) {
      const marker = document.createElement("div");
      marker.className = "step-marker";
      marker.textContent = here.map((s) => s.order + 1).join(", ");
      marker.title = here[0].name;
      new maplibregl.Marker({ element: marker }).setLngLat(here[0].center).addTo(map);
    }
    container.dataset.stepsDrawn = String(steps(collection).length);
  });
  return map;
}
