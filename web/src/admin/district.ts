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
maplibregl.setWorkerUrl(workerUrl);

const PLAIN: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: "background", type: "background", paint: { "background-color": "#f3ede2" } }],
};
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
  campaigns: { template: string; merchant: string; streets: string[]; funnel: Funnel; players: number; baseline_players: number; uplift: number | null }[];
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

function chart(canvas: HTMLCanvasElement, config: ChartConfiguration<"bar" | "line", number[], string>): void {
  const options = { animation: false as const, responsive: true, maintainAspectRatio: false, ...config.options };
  charts.push(new Chart(canvas, { ...config, options }));
}

function drawMap(container: HTMLElement, streets: FeatureCollection<LineString>, label: string): void {
  const box = new maplibregl.LngLatBounds();
  for (const f of streets.features) for (const p of f.geometry.coordinates) box.extend(p as [number, number]);
  map?.remove();
  map = new maplibregl.Map({ container, style: PLAIN, bounds: box, fitBoundsOptions: { padding: 40 }, attributionControl: false });
  map.getCanvas().setAttribute("aria-label", label);
  const most = Math.max(1, ...streets.features.map((f) => Number(f.properties?.players ?? 0)));
  map.once("load", () => {
    map!.addSource("streets", { type: "geojson", data: streets });
    map!.addLayer({
      id: "streets",
      type: "line",
      source: "streets",
      layout: { "line-cap": "round" },
      paint: {
        "line-width": 8,
        "line-color": ["interpolate", ["linear"], ["get", "players"], 0, "#d8d2c4", most / 2, "#e8a33d", most, "#b5322b"],
      },
    });
    container.dataset.streetsDrawn = String(streets.features.length);
  });
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
  const canvas = (id: string) => h("canvas", { id, role: "img" });
  const streetsCanvas = canvas("chart-streets");
  const hoursCanvas = canvas("chart-hours");
  const funnelCanvas = canvas("chart-funnel");
  const upliftCanvas = canvas("chart-uplift");
  const mapBox = h("div", { id: "district-map", class: "map", style: "height: 320px" });
  const [year, monthNo] = iso(today, zone).split("-").map(Number);
  const lastMonth = monthNo === 1 ? `${year - 1}-12` : `${year}-${String(monthNo - 1).padStart(2, "0")}`;
  const month = h("input", { type: "month", value: lastMonth });
  const reportOut = h("div", { role: "status", "aria-live": "polite" });
  const reportForm = h("form", { class: "row wrap", id: "district-report" },
    field("district-month", i18n.t("district.month"), month), h("button", { type: "submit", class: "secondary" }, i18n.t("district.build")));
  const box = (title: string, ...children: HTMLElement[]) =>
    h("figure", { class: "panel chart" }, h("figcaption", {}, title), h("div", { style: "position: relative; height: 260px" }, ...children));

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
    const names = foot.streets.map((s) => s.name[lang]);
    chart(streetsCanvas, {
      type: "bar",
      data: { labels: names, datasets: [
        { label: i18n.t("district.players"), data: foot.streets.map((s) => s.players), backgroundColor: "#b5532b" },
        { label: i18n.t("district.baseline"), data: foot.streets.map((s) => s.baseline_players), backgroundColor: "#9aa5b1" },
      ] },
      options: { indexAxis: "y" },
    });
    chart(hoursCanvas, {
      type: "line",
      data: { labels: [...Array(24).keys()].map(String), datasets: foot.streets.flatMap((s, i) => [
        { label: s.name[lang], data: foot.by_hour_of_day[s.slug], borderColor: COLORS[i % COLORS.length], pointRadius: 0 },
        { label: `${s.name[lang]} · ${i18n.t("district.baseline")}`, data: foot.by_hour_of_day_baseline[s.slug], borderColor: COLORS[i % COLORS.length], borderDash: [4, 3], pointRadius: 0 },
      ]) },
    });
    const stages = ["issued", "redeemed", "voided", "expired", "held"] as const;
    chart(funnelCanvas, {
      type: "bar",
      data: { labels: coupons.merchants.map((m) => m.name), datasets: stages.map((stage, i) => ({
        label: i18n.t(`district.${stage}`), data: coupons.merchants.map((m) => m[stage]), backgroundColor: COLORS[i],
      })) },
    });
    chart(upliftCanvas, {
      type: "bar",
      data: { labels: coupons.campaigns.map((c) => c.template), datasets: [
        { label: i18n.t("district.uplift"), data: coupons.campaigns.map((c) => (c.uplift ?? 0) * 100), backgroundColor: coupons.campaigns.map((c) => ((c.uplift ?? 0) >= 0 ? "#2f7d4f" : "#b5532b")) },
      ] },
    });
    container.dataset.chartsDrawn = String(charts.length);
    const t = coupons.total;
    summary.replaceChildren(h("table", { id: "district-streets" },
      h("caption", {}, i18n.t("district.table", { issued: t.issued, redeemed: t.redeemed, rate: percent(t.redemption_rate).replace("+", "") })),
      h("thead", {}, h("tr", {}, ...["district.street", "district.players", "district.baseline", "district.uplift", "district.dwell"].map((k) => h("th", { scope: "col" }, i18n.t(k))))),
      h("tbody", {}, ...foot.streets.map((s) => h("tr", { "data-street": s.slug },
        h("td", {}, s.name[lang]), h("td", {}, String(s.players)), h("td", {}, String(s.baseline_players)),
        h("td", {}, percent(s.uplift)), h("td", {}, s.mean_dwell_s === null ? "—" : `${Math.round(s.mean_dwell_s)} s`))))));
    drawMap(mapBox, geo, i18n.t("district.map"));
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
    h("div", { class: "charts" },
      box(i18n.t("district.chart.streets"), streetsCanvas), box(i18n.t("district.chart.hours"), hoursCanvas),
      box(i18n.t("district.chart.funnel"), funnelCanvas), box(i18n.t("district.chart.uplift"), upliftCanvas)),
    h("section", { class: "panel", "aria-labelledby": "district-map-title" }, h("h3", { id: "district-map-title" }, i18n.t("district.map")), mapBox),
    h("section", { class: "panel", "aria-labelledby": "district-report-title" }, h("h3", { id: "district-report-title" }, i18n.t("district.report")), reportForm, reportOut));
  await load().catch((e) => ctx.fail(message, e));
}

export const districtSection: Section = { id: "district", role: "district", render };
