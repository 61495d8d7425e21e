import "./style.css";
import { request } from "../shared/api";
import { I18n } from "../shared/i18n";
import { openStore, sessionStore } from "../shared/store";
import { Auth, type TokenPair } from "./auth";
import { createMap, drawCity, type FeatureCollection } from "./map";
import { messages } from "./messages";

interface AppConfig {
  map_style_url: string | null;
}

const i18n = new I18n(messages);
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function drawMap(): Promise<void> {
  const config = await request<AppConfig>("/v1/app-config");
  const { map, ready } = createMap($("map"), config.map_style_url, i18n.t("map.label"));
  const language = i18n.language;
  const [areas, sites] = await Promise.all([
    request<FeatureCollection>("/v1/areas", { language }),
    request<FeatureCollection>("/v1/pois", { language }),
    ready,
  ]);
  drawCity(map, areas, sites);
  map.once("idle", () => {
    performance.mark("sites-drawn");
    document.body.dataset.sitesDrawn = String(sites.features.length);
  });
}

async function main(): Promise<void> {
  i18n.apply(document);
  const db = await openStore();
  const auth = new Auth(sessionStore(db), (refresh_token) =>
    request<TokenPair>("/v1/auth/refresh", { body: { refresh_token } }),
  );
  const showPlayer = async () => {
    const token = await auth.token();
    if (!token) return;
    const me = await request<{ display_name: string }>("/v1/me", { token });
    $("welcome").hidden = true;
    $("status").textContent = i18n.t("player.playing", { name: me.display_name });
  };
  $("start-guest").addEventListener("click", async () => {
    await auth.adopt(await request<TokenPair>("/v1/auth/guest", { body: {} }));
    await showPlayer();
  });
  $("lang").addEventListener("click", () => i18n.set(i18n.language === "it" ? "en" : "it"));
  i18n.onChange(() => i18n.apply(document));
  await Promise.all([drawMap(), auth.restore().then(showPlayer)]);
}

void main();
