import { describe, expect, it } from "vitest";
import { zipSync, strToU8 } from "fflate";
import { lineOf, linesOfZip, relativeName } from "./bundle";

describe("the curator's upload", () => {
  it("names a folder's files as the validator does", () => {
    expect(relativeName("content/lecce/quests/porte.yaml")).toBe("lecce/quests/porte.yaml");
    expect(relativeName("pois.yaml")).toBe("pois.yaml");
  });

  it("finds a problem's line in a zip, skipping hidden folders and other files", () => {
    const zip = zipSync({
      "lecce/pois.yaml": strToU8("pois:\r\n  - slug: a\r\n    lat: x\r\n"),
      "__MACOSX/lecce/pois.yaml": strToU8("junk"),
      "README.md": strToU8("# hi"),
    });
    const lines = linesOfZip(zip);
    expect([...lines.keys()]).toEqual(["lecce/pois.yaml"]);
    const upload = { parts: [], lines };
    expect(lineOf(upload, "lecce/pois.yaml", 3)).toBe("    lat: x");
    expect(lineOf(upload, "lecce/pois.yaml", 99)).toBeNull();
    expect(lineOf(upload, "<bundle>", 1)).toBeNull();
  });
});
