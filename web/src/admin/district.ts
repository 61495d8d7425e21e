/** The district's figures (Town Centre Management, docs/district.md): footfall per street and
 * hour against its baseline, the coupon funnel per shop and campaign with the campaigns'
 * uplift, a map of the streets coloured by footfall, and the monthly monitoring pack. */

import { Chart, registerables, type ChartConfiguration } from "chart.js";
import * as maplibregl from "maplibre-gl";
import type { StyleSpecification } from "maplibre-gl";
import type { FeatureCollection, LineString } from "geojson";
import "maplibre-gl/dist/maplibre-gl.css";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url";
import type { Context, Section } from "./main";
import { field, h } from "./dom";

Chart.register(...registerables);
Chart.defaults.color = "#4a4036"; // axis and legend text, readable on the page's paper
maplibregl.setWorkerUrl(workerUrl);

const PLAIN: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: "background", type: "background", paint: { "background-color": "#f3ede2" } }],
};
const RAMP = ["#d8d2c4", "#e8a33d", "#b5322b"]; // the map's streets: none, half the busiest, the busiest
const COLORS = ["#b5532b", "#3b5b92", "#2f7d4f", "#d9a400", "#7a3b12", "#8e44ad", "#16a085"];

interface StreetFigures {
  slug: string;
  name: { it: string; en: string };
  players: number;
  passes: number;
  mean_dwell_s: number | null;
  baseline_players: number;
  uplift: number | null;
  busiest_hour: number | null;
}

interface FootfallAnswer {
  streets: StreetFigures[];
  by_hour_of_day: Record<string, number[]>;
  by_hour_of_day_baseline: Record<string, number[]>;
}

interface Funnel {
  issued: number;
  held: number;
  redeemed: number;
  voided: number;
  expired: number;
  open: number;
  redemption_rate: number | null;
  median_hours_to_redeem: number | null;
  by_quest: Record<string, number>;
  by_site: Record<string, number>;
  baseline_issued: number;
  baseline_redeemed: number;
}

interface CouponsAnswer {
  total: Funnel;
  merchants: (Funnel & { merchant: string; name: string })[];
  campaigns: { template: string; merchant: string; offer: { it: string; en: string }; streets: string[]; funnel: Funnel; players: number; baseline_players: number; uplift: number | null }[];
}

const charts: { destroy(): void }[] = [];
let map: maplibregl.Map | null = null;

/** The date (YYYY-MM-DD) of `day` in the comune's time zone: its figures are counted in its
 * local days, so at 00:30 in Lecce the dashboard's "today" is already the new day there. */
function iso(day: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(day);
}

function percent(value: number | null): string {
  return value === null ? "—" : `${value >= 0 ? "+" : ""}${Math.round(value * 100)} %`;
}

type Label = string | string[];
type Config = ChartConfiguration<"bar" | "line", number[], Label>;

/** A chart's place on the page: its canvas, and the words shown instead when there is
 * nothing to draw (an empty axis tells a reader nothing). */
interface Plot {
  figure: HTMLElement;
  canvas: HTMLCanvasElement;
  frame: HTMLElement;
  empty: HTMLElement;
  note: HTMLElement;
}

function plot(id: string, title: string): Plot {
  const canvas = h("canvas", { id, role: "img", "aria-label": title });
  const frame = h("div", { class: "chart-frame" }, canvas);
  const empty = h("p", { class: "empty", id: `${id}-empty`, hidden: true });
  const note = h("p", { class: "hint", hidden: true });
  return { canvas, frame, empty, note, figure: h("figure", { class: "panel chart" }, h("figcaption", {}, title), frame, empty, note) };
}

/** Draw `config` at `height` px, or say `nothing` in words when it is null. */
function chart(where: Plot, config: Config | null, nothing: string, height = 280): void {
  where.frame.hidden = config === null;
  where.empty.hidden = config !== null;
  where.empty.textContent = config === null ? nothing : "";
  if (config === null) return;
  where.frame.style.height = `${height}px`;
  const options = { animation: false as const, responsive: true, maintainAspectRatio: false, ...config.options };
  charts.push(new Chart(where.canvas, { ...config, options }));
}

/** A long name on lines of about `width` characters, so an axis shows it whole. */
function lines(text: string, width = 16): Label {
  const out: string[] = [];
  for (const word of text.split(" ")) {
    const last = out.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) out[out.length - 1] = `${last} ${word}`;
    else out.push(word);
  }
  return out.length === 1 ? out[0] : out;
}

const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);
const legend = { position: "bottom" as const, labels: { boxWidth: 14, padding: 12 } };
const whole = { precision: 0 };

/** The streets coloured by footfall; a tap (or click) on one names it with its figure
 * (`describe`), since the plain map has no labels. */
function drawMap(container: HTMLElement, streets: FeatureCollection<LineString>, label: string, most: number, describe: (slug: string) => string): void {
  const box = new maplibregl.LngLatBounds();
  for (const f of streets.features) for (const p of f.geometry.coordinates) box.extend(p as [number, number]);
  map?.remove();
  map = new maplibregl.Map({ container, style: PLAIN, bounds: box, fitBoundsOptions: { padding: 40 }, attributionControl: false });
  map.getCanvas().setAttribute("aria-label", label);
  map.once("load", () => {
    map!.addSource("streets", { type: "geojson", data: streets });
    map!.addLayer({
      id: "streets",
      type: "line",
      source: "streets",
      layout: { "line-cap": "round" },
      paint: {
        "line-width": 8,
        "line-color": ["interpolate", ["linear"], ["get", "players"], 0, RAMP[0], most / 2, RAMP[1], most, RAMP[2]],
      },
    });
    container.dataset.streetsDrawn = String(streets.features.length);
  });
  const drawn = map;
  drawn.on("click", "streets", (event) => {
    const slug = event.features?.[0]?.properties?.slug;
    if (slug) new maplibregl.Popup({ className: "street-popup" }).setLngLat(event.lngLat).setText(describe(String(slug))).addTo(drawn);
  });
  drawn.on("mouseenter", "streets", () => (drawn.getCanvas().style.cursor = "pointer"));
  drawn.on("mouseleave", "streets", () => (drawn.getCanvas().style.cursor = ""));
}

async function render(container: HTMLElement, ctx: Context): Promise<void> {
  const { i18n, session } = ctx;
  const city = ctx.city();
  const lang = i18n.language === "it" ? "it" : "en";
  while (charts.length) charts.pop()!.destroy();
  const today = new Date();
  const zone = ctx.cityTimezone();
  const from = h("input", { type: "date", value: iso(new Date(today.getTime() - 6 * 86_400_000), zone) });
  const to = h("input", { type: "date", value: iso(today, zone) });
  const street = h("select", {}, h("option", { value: "" }, i18n.t("district.street.all")));
  const message = h("div", { role: "status", "aria-live": "polite" });
  const form = h("form", { class: "row wrap", id: "district-form" },
    field("district-from", i18n.t("district.from"), from), field("district-to", i18n.t("district.to"), to),
    field("district-street", i18n.t("district.street"), street), h("button", { type: "submit", class: "secondary" }, i18n.t("district.show")));
  const summary = h("div", { id: "district-summary", class: "scroll" });
  const streetsPlot = plot("chart-streets", i18n.t("district.chart.streets"));
  const hoursPlot = plot("chart-hours", i18n.t("district.chart.hours"));
  const funnelPlot = plot("chart-funnel", i18n.t("district.chart.funnel"));
  const upliftPlot = plot("chart-uplift", i18n.t("district.chart.uplift"));
  const mapBox = h("div", { id: "district-map", class: "map", style: "height: 320px" });
  const mapKey = h("p", { id: "district-map-key", class: "map-key" });
  const [year, monthNo] = iso(today, zone).split("-").map(Number);
  const lastMonth = monthNo === 1 ? `${year - 1}-12` : `${year}-${String(monthNo - 1).padStart(2, "0")}`;
  const month = h("input", { type: "month", value: lastMonth });
  const reportOut = h("div", { role: "status", "aria-live": "polite" });
  const reportForm = h("form", { class: "row wrap", id: "district-report" },
    field("district-month", i18n.t("district.month"), month), h("button", { type: "submit", class: "secondary" }, i18n.t("district.build")));

  const load = async () => {
    const params = new URLSearchParams({ from: from.value, to: to.value });
    if (street.value) params.set("street", street.value);
    const base = `/admin/v1/district/${encodeURIComponent(city)}`;
    const [foot, coupons, geo] = await Promise.all([
      session.call<FootfallAnswer>(`${base}/footfall?${params}`),
      session.call<CouponsAnswer>(`${base}/coupons?from=${from.value}&to=${to.value}`),
      session.call<FeatureCollection<LineString>>(`${base}/streets?from=${from.value}&to=${to.value}`),
    ]);
    if (street.options.length === 1) {
      for (const s of geo.features) street.append(h("option", { value: String(s.properties?.slug) }, String((s.properties?.name as Record<string, string>)[lang])));
    }
    while (charts.length) charts.pop()!.destroy();
    const names = foot.streets.map((s) => lines(s.name[lang]));
    const counted = foot.streets.some((s) => s.players > 0 || s.baseline_players > 0);
    chart(streetsPlot, counted ? {
      type: "bar",
      data: { labels: names, datasets: [
        { label: i18n.t("district.players"), data: foot.streets.map((s) => s.players), backgroundColor: "#b5532b" },
        { label: i18n.t("district.baseline"), data: foot.streets.map((s) => s.baseline_players), backgroundColor: "#9aa5b1" },
      ] },
      options: { indexAxis: "y", plugins: { legend }, scales: { x: { ticks: whole } } },
    } : null, i18n.t("district.empty.streets"), 70 + 44 * foot.streets.length);
    // Only the streets with footfall: a flat line at 0 per quiet street hides the others.
    const busy = foot.streets.map((s, i) => ({ s, color: COLORS[i % COLORS.length] }))
      .filter(({ s }) => sum(foot.by_hour_of_day[s.slug]) > 0 || sum(foot.by_hour_of_day_baseline[s.slug]) > 0);
    chart(hoursPlot, busy.length ? {
      type: "line",
      data: { labels: [...Array(24).keys()].map(String), datasets: busy.flatMap(({ s, color }) => [
        { label: s.name[lang], data: foot.by_hour_of_day[s.slug], borderColor: color, backgroundColor: color, pointRadius: 0 },
        { label: `${s.name[lang]} · ${i18n.t("district.baseline")}`, data: foot.by_hour_of_day_baseline[s.slug], borderColor: color, backgroundColor: color, borderDash: [4, 3], pointRadius: 0 },
      ]) },
      options: {
        interaction: { mode: "index", intersect: false },
        plugins: { legend: {
          ...legend,
          // One entry per street (the dashed line is its baseline, as the title says); a
          // click hides or shows both of its lines.
          labels: { ...legend.labels, filter: (item) => (item.datasetIndex ?? 0) % 2 === 0 },
          onClick: (_event, item, { chart: drawn }) => {
            const i = item.datasetIndex ?? 0;
            const shown = !drawn.isDatasetVisible(i);
            drawn.setDatasetVisibility(i, shown);
            drawn.setDatasetVisibility(i + 1, shown);
            drawn.update();
          },
        } },
        scales: {
          x: { title: { display: true, text: i18n.t("district.hour", { city: ctx.cityName() }) }, ticks: { maxRotation: 0, autoSkipPadding: 8 } },
          y: { title: { display: true, text: i18n.t("district.count") }, ticks: whole, beginAtZero: true },
        },
      },
    } : null, i18n.t("district.empty.hours"), 320);
    const stages = ["issued", "redeemed", "voided", "expired", "held"] as const;
    // The shops that issued coupons drawn; the others named below the chart.
    const issuing = coupons.merchants.filter((m) => m.issued > 0);
    const quiet = coupons.merchants.filter((m) => m.issued === 0);
    chart(funnelPlot, issuing.length ? {
      type: "bar",
      data: { labels: issuing.map((m) => lines(m.name, 20)), datasets: stages.map((stage, i) => ({
        label: i18n.t(`district.${stage}`), data: issuing.map((m) => m[stage]), backgroundColor: COLORS[i],
      })) },
      options: { indexAxis: "y", plugins: { legend }, scales: { x: { ticks: whole, title: { display: true, text: i18n.t("district.coupons") } } } },
    } : null, i18n.t("district.empty.funnel"), 110 + 70 * issuing.length);
    funnelPlot.note.hidden = !(issuing.length && quiet.length);
    funnelPlot.note.textContent = i18n.t("district.funnel.missing", { shops: quiet.map((m) => m.name).join("; ") });
    // A campaign without footfall to compare (its streets quiet, or no coupon out in the
    // period) has no uplift: said in words, not drawn as a 0 % bar.
    const shops = new Map(coupons.merchants.map((m) => [m.merchant, m.name]));
    const compared = coupons.campaigns.filter((c) => c.uplift !== null);
    const missing = coupons.campaigns.filter((c) => c.uplift === null);
    chart(upliftPlot, compared.length ? {
      type: "bar",
      data: { labels: compared.map((c) => lines(c.offer[lang], 22)), datasets: [
        { label: i18n.t("district.uplift"), data: compared.map((c) => Math.round((c.uplift ?? 0) * 100)), backgroundColor: compared.map((c) => ((c.uplift ?? 0) >= 0 ? "#2f7d4f" : "#b5532b")) },
      ] },
      options: {
        indexAxis: "y",
        plugins: { legend: { display: false }, tooltip: { callbacks: {
          afterTitle: (items) => shops.get(compared[items[0]?.dataIndex ?? 0]?.merchant) ?? "",
          label: (item) => `${i18n.t("district.uplift")}: ${percent(Number(item.raw) / 100)}`,
        } } },
        scales: { x: { ticks: { callback: (value) => `${value} %` } } },
      },
    } : null, i18n.t("district.empty.uplift"), 60 + 56 * compared.length);
    upliftPlot.note.hidden = !(compared.length && missing.length);
    upliftPlot.note.textContent = i18n.t("district.uplift.missing", { campaigns: missing.map((c) => `${c.offer[lang]} (${shops.get(c.merchant) ?? c.merchant})`).join("; ") });
    container.dataset.chartsDrawn = String(charts.length);
    const t = coupons.total;
    summary.replaceChildren(h("table", { id: "district-streets" },
      h("caption", {}, i18n.t("district.table", { issued: t.issued, redeemed: t.redeemed, rate: percent(t.redemption_rate).replace("+", "") })),
      h("thead", {}, h("tr", {}, ...["district.street", "district.players", "district.baseline", "district.uplift", "district.dwell"].map((k) => h("th", { scope: "col" }, i18n.t(k))))),
      h("tbody", {}, ...foot.streets.map((s) => h("tr", { "data-street": s.slug },
        h("td", {}, s.name[lang]), h("td", {}, String(s.players)), h("td", {}, String(s.baseline_players)),
        h("td", {}, percent(s.uplift)), h("td", {}, s.mean_dwell_s === null ? "—" : `${Math.round(s.mean_dwell_s)} s`))))));
    const most = Math.max(0, ...geo.features.map((f) => Number(f.properties?.players ?? 0)));
    const streetNames = new Map(geo.features.map((f) => [String(f.properties?.slug), f.properties as { name: Record<string, string>; players?: number }]));
    drawMap(mapBox, geo, i18n.t("district.map"), Math.max(1, most), (slug) => {
      const found = streetNames.get(slug);
      return i18n.t("district.map.street", { street: found?.name[lang] ?? slug, players: Number(found?.players ?? 0) });
    });
    const key = (background: string, text: string) => h("span", {}, h("span", { class: "swatch", style: `background: ${background}` }), text);
    mapKey.replaceChildren(key(RAMP[0], i18n.t("district.legend.none")));
    if (most > 0) mapKey.append(key(`linear-gradient(90deg, ${RAMP.join(", ")})`, i18n.t("district.legend.most", { players: most })));
    mapKey.append(h("span", {}, i18n.t("district.map.tap")));
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void load().catch((e) => ctx.fail(message, e));
  });
  reportForm.addEventListener("submit", (event) => {
    event.preventDefault();
    reportOut.className = "outcome";
    reportOut.textContent = i18n.t("district.building");
    void session.call<{ pages: number; pdf: string; csv_zip: string }>(`/admin/v1/district/${encodeURIComponent(city)}/reports/${month.value}`, { body: {} })
      .then(async (built) => {
        const links = await Promise.all([built.pdf, built.csv_zip].map(async (url) => URL.createObjectURL(await session.blob(url))));
        reportOut.className = "outcome good";
        reportOut.replaceChildren(i18n.t("district.built", { pages: built.pages }), " ",
          h("a", { href: links[0], download: `district-${city}-${month.value}.pdf`, id: "district-pdf" }, "PDF"), " · ",
          h("a", { href: links[1], download: `district-${city}-${month.value}.zip` }, "CSV (zip)"));
      })
      .catch((e) => ctx.fail(reportOut, e));
  });
  container.append(h("section", { class: "panel", "aria-labelledby": "district-title" },
    h("h2", { id: "district-title" }, i18n.t("district.title", { city: ctx.cityName() })),
    h("p", {}, i18n.t("district.intro")), form, message, summary),
    h("div", { class: "charts" }, streetsPlot.figure, hoursPlot.figure, funnelPlot.figure, upliftPlot.figure),
    h("section", { class: "panel", "aria-labelledby": "district-map-title" }, h("h3", { id: "district-map-title" }, i18n.t("district.map")), mapBox, mapKey),
    h("section", { class: "panel", "aria-labelledby": "district-report-title" }, h("h3", { id: "district-report-title" }, i18n.t("district.report")), reportForm, reportOut));
  await load().catch((e) => ctx.fail(message, e));
}

export const districtSection: Section = { id: "district", role: "district", render };
