/** Curators: upload a folder or a zip, see every problem (file, line, message, the line
 * itself), what a publish would change, a quest on the map; publish; roll back. */

import type { FeatureCollection } from "geojson";
import type { Map as MapLibre } from "maplibre-gl";
import type { Context, Section } from "./main";
import { formData, fromFolder, fromZip, lineOf, type Upload } from "./bundle";
import { field, h, when } from "./dom";
import { drawPreview, steps } from "./preview";

interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}
interface KindChanges {
  added: string[];
  changed: string[];
  removed: string[];
}
interface Report {
  valid: boolean;
  problems: Problem[];
  summary: { quest_slugs: string[]; quests: number; pois: number; badges: number; coupons: number; merchants: number } | null;
  changes?: Record<string, KindChanges> & { against_version_id: number | null };
}
interface Version {
  id: number;
  author: string;
  published_at: string;
  active: boolean;
}

const KINDS = ["areas", "pois", "quests", "badges", "coupons", "merchants"];

class ContentView {
  private upload: Upload | null = null;
  private map: MapLibre | null = null;
  private readonly message = h("div", { id: "content-message", role: "status", "aria-live": "polite" });
  private readonly report = h("div", { id: "report" });
  private readonly previewBox = h("div", { id: "preview" });
  private readonly versions = h("div", { id: "versions" });

  constructor(private readonly ctx: Context) {}

  render(container: HTMLElement): void {
    const t = (key: string) => this.ctx.i18n.t(key);
    const folder = h("input", { type: "file", webkitdirectory: true, multiple: true });
    const files = h("input", { type: "file", multiple: true, accept: ".yaml,.yml,.zip" });
    folder.addEventListener("change", () => void this.picked(() => fromFolder([...(folder.files ?? [])])));
    files.addEventListener("change", () => void this.picked(() => this.fromFiles([...(files.files ?? [])])));
    container.append(
      h("section", { class: "panel", "aria-labelledby": "content-title" },
        h("h2", { id: "content-title" }, t("content.title")),
        h("p", { class: "hint", id: "content-scope" }, this.ctx.i18n.t("scope", { city: this.ctx.cityName() })),
        field("upload-folder", t("content.folder"), folder),
        field("upload-files", t("content.zip"), files),
        this.message, this.report, this.previewBox),
      h("section", { class: "panel", "aria-labelledby": "versions-title" },
        h("h2", { id: "versions-title" }, t("versions.title")),
        h("p", { class: "hint", id: "versions-scope" }, this.ctx.i18n.t("versions.scope", { city: this.ctx.cityName() })),
        this.versions),
    );
    void this.loadVersions();
  }

  /** The path with the picked comune: files without a city.yaml are that comune's, and the
   * versions listed are its own. */
  private scoped(path: string): string {
    return `${path}${path.includes("?") ? "&" : "?"}city=${encodeURIComponent(this.ctx.city())}`;
  }

  private async fromFiles(list: File[]): Promise<Upload> {
    const zip = list.find((f) => /\.zip$/i.test(f.name));
    return zip ? fromZip(zip) : fromFolder(list);
  }

  private async picked(read: () => Promise<Upload>): Promise<void> {
    this.upload = await read();
    this.report.replaceChildren();
    this.previewBox.replaceChildren();
    this.message.className = "";
    this.message.textContent = this.ctx.i18n.t("content.checking");
    try {
      const report = await this.ctx.session.upload<Report>(this.scoped("/admin/v1/content/validate"), formData(this.upload));
      this.show(report);
    } catch (error) {
      this.ctx.fail(this.message, error);
    }
  }

  private show(report: Report): void {
    const { i18n } = this.ctx;
    if (!report.valid) {
      const count = report.problems.length;
      this.message.className = "outcome bad";
      this.message.textContent = count === 1 ? i18n.t("content.problems.one") : i18n.t("content.problems", { count });
      this.report.append(this.problemTable(report.problems));
      return;
    }
    this.message.className = "outcome good";
    const { quests = 0, pois = 0, badges = 0, coupons = 0, merchants = 0 } = report.summary ?? {};
    this.message.textContent = i18n.t("content.valid", { quests, pois, badges, coupons, merchants });
    if (report.changes) this.report.append(this.changeList(report.changes));
    this.report.append(this.previewForm(report.summary?.quest_slugs ?? []));
    const publish = h("button", { type: "button", class: "primary", id: "publish" }, i18n.t("publish.button"));
    publish.addEventListener("click", () => void this.publish(publish));
    this.report.append(h("p", {}, publish));
  }

  private problemTable(problems: Problem[]): HTMLElement {
    const t = (key: string) => this.ctx.i18n.t(key);
    const rows = problems.map((p) =>
      h("tr", {},
        h("td", { class: "code" }, p.file),
        h("td", {}, String(p.line)),
        h("td", {}, p.message),
        h("td", {}, h("pre", { class: "code" }, lineOf(this.upload!, p.file, p.line) ?? "")),
      ),
    );
    return h("div", { class: "scroll" },
      h("table", { id: "problems" },
        h("caption", { class: "sr-only" }, t("problems.caption")),
        h("thead", {}, h("tr", {}, ...["col.file", "col.line", "col.message", "col.source"].map((k) => h("th", { scope: "col" }, t(k))))),
        h("tbody", {}, ...rows)));
  }

  private changeList(changes: NonNullable<Report["changes"]>): HTMLElement {
    const { i18n } = this.ctx;
    const against = changes.against_version_id === null
      ? i18n.t("changes.first")
      : i18n.t("changes.against", { id: changes.against_version_id });
    const items = KINDS.flatMap((kind) =>
      (["added", "changed", "removed"] as const)
        .filter((what) => changes[kind][what].length > 0)
        .map((what) => h("li", { "data-kind": kind, "data-change": what },
          `${i18n.t(`kind.${kind}`)} – ${i18n.t(`change.${what}`)}: ${changes[kind][what].join(", ")}`)),
    );
    return h("div", { id: "changes", class: "changes" },
      h("h3", {}, `${i18n.t("changes.title")} (${against})`),
      items.length ? h("ul", {}, ...items) : h("p", {}, i18n.t("changes.none")));
  }

  private previewForm(slugs: string[]): HTMLElement {
    const t = (key: string) => this.ctx.i18n.t(key);
    const select = h("select", {}, ...slugs.map((slug) => h("option", { value: slug }, slug)));
    const button = h("button", { type: "submit", class: "secondary" }, t("preview.show"));
    const form = h("form", { class: "row wrap", id: "preview-form" }, field("preview-quest", t("preview.quest"), select), button);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.preview(select.value);
    });
    return h("div", {}, h("h3", {}, t("preview.title")), form);
  }

  private async preview(slug: string): Promise<void> {
    const { i18n } = this.ctx;
    try {
      const path = this.scoped(`/admin/v1/content/preview/quests/${encodeURIComponent(slug)}?lang=${i18n.language}`);
      const collection = await this.ctx.session.upload<FeatureCollection>(path, formData(this.upload!));
      this.map?.remove();
      const box = h("div", { id: "preview-map", class: "preview-map", role: "region", "aria-label": i18n.t("preview.map") });
      const list = h("ol", { id: "preview-steps", "aria-label": i18n.t("preview.steps") },
        ...steps(collection).map((s) => h("li", {}, i18n.t("preview.step", { order: s.order + 1, name: s.name, kind: s.kind, radius: s.radius_m ?? "—" }))));
      this.previewBox.replaceChildren(h("h3", {}, slug), box, list);
      this.map = drawPreview(box, collection, i18n.t("preview.map"));
    } catch (error) {
      this.ctx.fail(this.message, error);
    }
  }

  private async publish(button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const done = await this.ctx.session.upload<{ version_id: number; status: string }>(this.scoped("/admin/v1/content/publish"), formData(this.upload!));
      this.message.className = "outcome good";
      this.message.textContent = this.ctx.i18n.t("publish.done", { id: done.version_id, status: done.status });
      await this.loadVersions();
    } catch (error) {
      this.ctx.fail(this.message, error);
      button.disabled = false;
    }
  }

  private async loadVersions(): Promise<void> {
    const { i18n } = this.ctx;
    try {
      const versions = await this.ctx.session.call<Version[]>(this.scoped("/admin/v1/content/versions?limit=20"));
      const rows = versions.map((v) => {
        const action = v.active
          ? h("strong", {}, i18n.t("versions.active"))
          : h("button", { type: "button", class: "secondary", "aria-label": i18n.t("versions.activate.label", { id: v.id }),
              onclick: () => void this.activate(v.id) }, i18n.t("versions.activate"));
        return h("tr", { "data-version": String(v.id) }, h("td", {}, String(v.id)), h("td", {}, v.author), h("td", {}, when(v.published_at, i18n.language)), h("td", {}, action));
      });
      this.versions.replaceChildren(h("div", { class: "scroll" }, h("table", { id: "versions-table" },
        h("caption", { class: "sr-only" }, i18n.t("versions.title")),
        h("thead", {}, h("tr", {}, ...["col.version", "col.author", "col.published", "col.actions"].map((k) => h("th", { scope: "col" }, i18n.t(k))))),
        h("tbody", {}, ...rows))));
    } catch (error) {
      this.ctx.fail(this.message, error);
    }
  }

  private async activate(id: number): Promise<void> {
    try {
      const done = await this.ctx.session.call<{ version_id: number; previous_version_id: number | null }>(
        `/admin/v1/content/versions/${id}/activate`, { method: "POST" });
      this.message.className = "outcome good";
      this.message.textContent = this.ctx.i18n.t("versions.done", { id: done.version_id, previous: done.previous_version_id ?? "—" });
      await this.loadVersions();
    } catch (error) {
      this.ctx.fail(this.message, error);
    }
  }
}

export const contentSection: Section = {
  id: "content",
  role: "curator",
  render: (container, ctx) => new ContentView(ctx).render(container),
};
