import "./style.css";
import { registerSW } from "virtual:pwa-register";
import type { Feature, FeatureCollection } from "geojson";
import { request } from "../common/api";
import { clear, h } from "../common/dom";
import { I18n } from "../common/i18n";
import { openStore, sessionStore, type Database } from "../common/store";
import { Auth, type TokenPair } from "./auth";
import { FixBuffer } from "./buffer";
import { apiFor, sitesFrom, type Ctx, type Site, type Tab } from "./context";
import { describeEvent } from "./events";
import type { CityMap } from "./map";
import { drawSketch } from "./sketch";
import { messages } from "./messages";
import { signInWithPasskey } from "./passkey";
import { Play, localCursor, type PlayEvent, type Status } from "./play";
import { renderAccount } from "./views/account";
import { renderQuests } from "./views/quests";
import { renderRewards } from "./views/rewards";
import { showSite, renderSites } from "./views/sites";
import { renderRanks, renderTeam } from "./views/social";

interface AppConfig {
  map_style_url: string | null;
}

/** What the first screen needs, asked for at once and in parallel (nothing secret). MapLibre
 * is not among it: the sites are first drawn as an SVG sketch, and the interactive map loads
 * when the player starts or touches the map (docs/web.md, "Performance"). */
function prefetch(language: string) {
  return {
    language,
    config: request<AppConfig>("/v1/app-config"),
    areas: request<FeatureCollection>("/v1/areas", { language }),
    sites: request<FeatureCollection>("/v1/pois", { language }),
    // The district's shopping streets; a server without them (or offline without a copy) has
    // none to draw.
    streets: request<FeatureCollection>("/v1/streets", { language }).catch(() => null),
    quests: request<Array<{ slug: string; title: string }>>("/v1/quests", { language }),
  };
}
type Prefetched = ReturnType<typeof prefetch>;

interface CityData {
  areas: FeatureCollection;
  sites: FeatureCollection;
  streets: FeatureCollection | null;
  styleUrl: string | null;
}

const TABS: Tab[] = ["sites", "quests", "rewards", "ranks", "team", "account"];
const LOG_KEPT = 50;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

class App {
  readonly i18n = new I18n(messages);
  ctx!: Ctx;
  private city: CityMap | null = null;
  private cityData: CityData | null = null;
  private sites = new Map<string, Site>();
  private interactiveMap: Promise<void> | null = null;
  /** What the map shows once it is interactive (set before MapLibre is there, too). */
  private steps: FeatureCollection | null = null;
  private me: [number, number] | null = null;
  private buffer!: FixBuffer;
  private watch: number | null = null;
  private tab: Tab = "sites";
  private detail: string | undefined;
  private questTitles = new Map<string, string>();

  private db!: Database;

  async boot(early: Prefetched, db: Promise<Database>): Promise<void> {
    const drawn = this.drawMap(early);
    this.db = await db;
    const auth = new Auth(sessionStore(this.db), (refresh_token) =>
      request<TokenPair>("/v1/auth/refresh", { body: { refresh_token } }),
    );
    this.buffer = new FixBuffer(this.db);
    this.ctx = {
      i18n: this.i18n,
      auth,
      play: null,
      sites: this.sites,
      here: new Set(),
      events: [],
      api: apiFor(auth, this.i18n),
      go: (tab, detail) => this.go(tab, detail),
      rerender: () => this.render(),
      showSite: (slug) => showSite(this.ctx, slug),
      showSteps: (features, done) => this.showSteps(features, done),
      toast: (text) => this.toast(text),
    };
    this.i18n.apply(document);
    this.wireChrome();
    auth.onChange((session) => {
      if (session) this.ctx.play?.renew(session.accessToken);
      else this.signedOut();
    });
    const offline = () => this.toast(this.i18n.t("status.offline"));
    this.questTitles = new Map((await early.quests.catch(() => [])).map((q) => [q.slug, q.title]));
    await drawn.catch(offline); // no map without the network and no cache: play on
    // The service worker (and its precache of the app) waits until the city is on screen.
    registerSW({ immediate: true });
    if (await auth.restore()) await this.signedIn();
  }

  private wireChrome(): void {
    $("lang").addEventListener("click", () => this.i18n.set(this.i18n.language === "it" ? "en" : "it"));
    this.i18n.onChange(() => this.relocalise());
    $("start-guest").addEventListener("click", () => this.startGuest());
    $("signin-passkey").addEventListener("click", () => this.passkeySignIn());
    window.addEventListener("online", () => this.ctx.play?.reconnectNow());
    window.addEventListener("offline", () => this.ctx.play?.offline());
    this.updateLangButton();
  }

  updateLangButton(): void {
    $("lang").textContent = this.i18n.t("lang.switch");
    $("lang").setAttribute("lang", this.i18n.language === "it" ? "en" : "it");
  }

  private async relocalise(): Promise<void> {
    this.i18n.apply(document);
    this.updateLangButton();
    const map = $("map");
    map.querySelector("svg.sketch")?.setAttribute("aria-label", this.i18n.t("map.label"));
    const explore = map.querySelector(".map-explore");
    if (explore) explore.textContent = this.i18n.t("map.explore");
    const sites = await request<FeatureCollection>("/v1/pois", { language: this.i18n.language });
    this.ctx.sites = sitesFrom(sites);
    await this.loadQuestTitles();
    this.renderChrome();
    this.render();
    this.renderLog();
  }

  /** The city as an SVG sketch as soon as its JSON is here; MapLibre later (`interactive`). */
  private async drawMap(early: Prefetched): Promise<void> {
    const [config, areas, sites, streets] = await Promise.all([early.config, early.areas, early.sites, early.streets]);
    // A language switched meanwhile has fetched the sites in the new language: keep those.
    // (The sketch can be drawn before the stored session is open, i.e. before `ctx` exists.)
    if (this.i18n.language === early.language) {
      this.sites = sitesFrom(sites);
      if (this.ctx) this.ctx.sites = this.sites;
    }
    this.cityData = { areas, sites, streets, styleUrl: config.map_style_url };
    const container = $("map");
    const sketch = drawSketch(container, areas, sites, streets, this.i18n.t("map.label"));
    performance.mark("sites-drawn");
    document.body.dataset.sitesDrawn = String(sketch.sites);
    document.body.dataset.streetsDrawn = String(sketch.streets);
    if (config.map_style_url) {
      void this.interactive(); // a basemap only MapLibre can draw
      return;
    }
    const explore = h("button", { type: "button", className: "map-explore", onclick: () => void this.interactive() }, this.i18n.t("map.explore"));
    container.append(explore);
    for (const name of ["pointerdown", "wheel"]) {
      container.addEventListener(name, () => void this.interactive(), { once: true, passive: true });
    }
  }

  /** Replace the sketch with the MapLibre map (once): pan, zoom, the player, a quest's steps. */
  private interactive(): Promise<void> {
    if (!this.cityData) return Promise.resolve();
    this.interactiveMap ??= this.loadMap(this.cityData).catch((error: Error) => {
      this.interactiveMap = null; // e.g. offline before the app was cached: the sketch stays
      this.toast(this.i18n.t("error.generic", { message: error.message }));
    });
    return this.interactiveMap;
  }

  private async loadMap({ areas, sites, streets, styleUrl }: CityData): Promise<void> {
    const { createMap } = await import("./map");
    const container = $("map");
    container.querySelector(".map-explore")?.remove();
    const city = createMap(container, styleUrl, this.i18n.t("map.label"));
    await city.ready;
    city.draw(areas, sites, streets);
    city.onSiteClick((slug) => this.ctx.showSite(slug));
    if (this.steps) city.setData("steps", this.steps);
    if (this.me) city.showMe(...this.me);
    this.city = city;
    city.map.once("idle", () => {
      container.querySelector("svg.sketch")?.remove();
      document.body.dataset.map = "interactive";
      const streetsSeen = new Set(city.map.queryRenderedFeatures({ layers: ["streets"] }).map((f) => f.properties?.slug));
      document.body.dataset.mapStreets = String(streetsSeen.size); // those in view
    });
  }

  private async loadQuestTitles(): Promise<void> {
    const quests = await request<Array<{ slug: string; title: string }>>("/v1/quests", { language: this.i18n.language });
    this.questTitles = new Map(quests.map((q) => [q.slug, q.title]));
  }

  private async startGuest(): Promise<void> {
    await this.ctx.auth.adopt(await request<TokenPair>("/v1/auth/guest", { body: {} }));
    await this.signedIn();
  }

  private async passkeySignIn(): Promise<void> {
    try {
      await this.ctx.auth.adopt(await signInWithPasskey());
      await this.signedIn();
    } catch (error) {
      this.toast(this.i18n.t("passkey.failed", { message: (error as Error).message }));
    }
  }

  private async signedIn(): Promise<void> {
    const session = this.ctx.auth.session;
    if (!session) return;
    $("welcome").hidden = true;
    $("app").hidden = false;
    void this.interactive(); // walking needs the player's position and a quest's steps
    this.ctx.events = ((await this.db.get("kv", `log:${session.playerId}`)) as PlayEvent[] | undefined) ?? [];
    this.ctx.play?.stop();
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.ctx.play = new Play({
      url: `${scheme}://${location.host}/v1/play`,
      token: () => this.ctx.auth.token(),
      outbox: this.buffer,
      cursor: localCursor(session.playerId),
      onEvent: (event) => this.onEvent(event),
      onStatus: (status) => this.onStatus(status),
      onResync: () => this.render(),
      onAck: () => void this.updateStatus(),
      onError: (code, message) => this.toast(this.i18n.t(`error.${code}`) === `error.${code}` ? this.i18n.t("error.generic", { message }) : this.i18n.t(`error.${code}`)),
    });
    this.ctx.play.start();
    this.watchPosition();
    this.renderChrome();
    this.render();
    this.renderLog();
  }

  private signedOut(): void {
    this.ctx.play?.stop();
    this.ctx.play = null;
    if (this.watch !== null) navigator.geolocation.clearWatch(this.watch);
    this.watch = null;
    $("welcome").hidden = false;
    $("app").hidden = true;
    $("status").textContent = "";
  }

  private watchPosition(): void {
    if (this.watch !== null || !("geolocation" in navigator)) return;
    this.watch = navigator.geolocation.watchPosition(
      (position) => void this.onFix(position),
      (error) => {
        if (error.code === error.PERMISSION_DENIED) this.toast(this.i18n.t("geo.denied"));
      },
      { enableHighAccuracy: true, maximumAge: 0, timeout: 60_000 },
    );
  }

  private async onFix(position: GeolocationPosition): Promise<void> {
    const { latitude: lat, longitude: lon, accuracy } = position.coords;
    this.me = [lon, lat];
    this.city?.showMe(lon, lat);
    // The device's clock when the fix arrives (maximumAge 0: the fix is fresh).
    const ts = Date.now();
    const kept = await this.buffer.add({ lat, lon, accuracy, ts });
    document.body.dataset.lastFix = String(ts);
    if (kept) await this.ctx.play?.flush();
    await this.updateStatus();
  }

  private onEvent(event: PlayEvent): void {
    const d = event.data;
    if (event.kind === "poi.enter") this.ctx.here.add(String(d.poi));
    if (event.kind === "poi.exit") this.ctx.here.delete(String(d.poi));
    this.ctx.events = [...this.ctx.events, event].slice(-LOG_KEPT);
    const session = this.ctx.auth.session;
    if (session) void this.db.put("kv", this.ctx.events, `log:${session.playerId}`);
    this.renderLog();
    if (event.kind !== "poi.exit" && event.kind !== "position.rejected") this.toast(this.describe(event));
    if (!event.kind.startsWith("poi.") || this.tab === "quests") this.render();
  }

  private describe(event: PlayEvent): string {
    return describeEvent(
      event,
      this.i18n,
      (slug) => this.ctx.sites.get(slug)?.name ?? slug,
      (slug) => this.questTitles.get(slug) ?? slug,
    );
  }

  private onStatus(_: Status): void {
    void this.updateStatus();
  }

  private async updateStatus(): Promise<void> {
    const status = this.ctx.play?.status ?? "offline";
    const waiting = await this.buffer.count();
    const parts = [this.i18n.t(`status.${status}`)];
    if (status !== "online" && waiting > 0) parts.push(this.i18n.t("status.waiting", { count: waiting }));
    $("status").textContent = parts.join(" · ");
    document.body.dataset.status = status;
    document.body.dataset.waiting = String(waiting);
  }

  private renderChrome(): void {
    const nav = $("tabs");
    clear(
      nav,
      ...TABS.map((tab) =>
        h(
          "button",
          { type: "button", className: "tab", "aria-current": tab === this.tab ? "page" : undefined, onclick: () => this.go(tab) },
          this.i18n.t(`tab.${tab}`),
        ),
      ),
    );
    nav.setAttribute("aria-label", this.i18n.t("nav.label"));
    void this.updateStatus();
  }

  private renderLog(): void {
    $("log-title").textContent = this.i18n.t("events.title");
    clear(
      $("log"),
      ...[...this.ctx.events].reverse().map((event) =>
        h("li", { dataset: { seq: String(event.seq), kind: event.kind, poi: String(event.data.poi ?? "") } }, this.describe(event)),
      ),
    );
  }

  private go(tab: Tab, detail?: string): void {
    this.tab = tab;
    this.detail = detail;
    this.renderChrome();
    this.render();
    $("view").focus();
  }

  private render(): void {
    if (!this.ctx.auth.session) return;
    const root = $("view");
    const typing = document.activeElement;
    if (typing instanceof HTMLInputElement && root.contains(typing) && typing.value) return; // not under their fingers
    const views: Record<Tab, () => Promise<void> | void> = {
      sites: () => renderSites(this.ctx, root),
      quests: () => renderQuests(this.ctx, root, this.detail),
      rewards: () => renderRewards(this.ctx, root),
      ranks: () => renderRanks(this.ctx, root),
      team: () => renderTeam(this.ctx, root),
      account: () => renderAccount(this.ctx, root, () => void this.ctx.auth.signOut()),
    };
    if (this.tab !== "quests") {
      this.steps = null;
      this.city?.setData("steps", { type: "FeatureCollection", features: [] });
    }
    Promise.resolve(views[this.tab]()).catch((error: Error) => this.toast(this.i18n.t("error.generic", { message: error.message })));
  }

  private showSteps(features: Feature[], done: Set<string>): void {
    const marked = features.map((f) => ({ ...f, properties: { ...f.properties, done: done.has(String(f.properties?.slug)) } }));
    this.steps = { type: "FeatureCollection", features: marked };
    this.city?.setData("steps", this.steps);
  }

  private toast(text: string): void {
    const item = h("p", { className: "toast" }, text);
    $("toasts").append(item);
    setTimeout(() => item.remove(), 6_000);
  }
}

async function main(): Promise<void> {
  const app = new App();
  // The page's texts in the player's language before anything waits; until then <main> is not
  // shown, so the welcome screen never moves when its texts change language (layout shift).
  app.i18n.apply(document);
  app.updateLangButton();
  document.documentElement.dataset.ready = "true"; // style.css keeps <main> hidden until now
  const early = prefetch(app.i18n.language);
  await app.boot(early, openStore());
}

void main();
