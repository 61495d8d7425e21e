import { describe, expect, it } from "vitest";
import { CENTER, ZOOM, project } from "./sketch";

describe("the sketch's projection (Web Mercator pixels, as MapLibre places them)", () => {
  it("puts 0°, 0° in the middle of the world", () => {
    expect(project([0, 0], 0)).toEqual([256, 256]);
  });

  it("reaches the world's edges at ±180° and ±85.0511°", () => {
    const [west, north] = project([-180, 85.0511287798], 0);
    const [east, south] = project([180, -85.0511287798], 0);
    expect(west).toBeCloseTo(0, 6);
    expect(east).toBeCloseTo(512, 6);
    expect(north).toBeCloseTo(0, 3);
    expect(south).toBeCloseTo(512, 3);
  });

  it("doubles with each zoom level, so 100 m in Lecce are about 42 px at the map's zoom", () => {
    const [x0, y0] = project(CENTER, ZOOM);
    const [x1] = project([CENTER[0] + 0.001178, CENTER[1]], ZOOM); // ~100 m east at 40.35° N
    expect(project(CENTER, ZOOM + 1)[0]).toBeCloseTo(2 * x0, 3);
    expect(x1 - x0).toBeGreaterThan(38);
    expect(x1 - x0).toBeLessThan(46);
    expect(project([CENTER[0], CENTER[1] + 0.001], ZOOM)[1]).toBeLessThan(y0); // north is up
  });
});
