/// <reference types="vitest/config" />
import { resolve } from "node:path";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { staffShell } from "./staff-shell.ts";

/**
 * One HTML entry per page (see docs/web.md). The FastAPI app serves `dist/` from `/`, so
 * `merchant/index.html` is served at `/merchant/`. Add a page: create its folder with an
 * `index.html` and add it here. A staff page (shop, console) takes its head tags, skip link and
 * top bar from `staff-shell.ts`: write `<staff-bar status="…"></staff-bar>` in it.
 */
export const pages: Record<string, string> = {
  player: "index.html",
  merchant: "merchant/index.html",
  admin: "admin/index.html",
};

const api = process.env.LUPIAE_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  build: {
    target: "es2022",
    rollupOptions: {
      input: Object.fromEntries(
        Object.entries(pages).map(([name, file]) => [name, resolve(import.meta.dirname, file)]),
      ),
    },
  },
  server: {
    proxy: {
      "/v1": { target: api, ws: true },
      "/merchant/v1": api,
      "/admin/v1": api,
      "/.well-known": api,
    },
  },
  plugins: [
    staffShell(),
    VitePWA({
      registerType: "autoUpdate",
      injectRegister: false,
      manifest: false, // public/manifest.webmanifest, linked from index.html
      workbox: {
        // The player app's shell; other pages are fetched from the network as usual.
        globPatterns: ["index.html", "assets/**/*.{js,css,woff2}", "icons/*.png", "*.webmanifest"],
        // Not the staff pages' own chunks (the shop's scanner, the console): a phone installing
        // the game should not download them.
        globIgnores: ["assets/merchant-*", "assets/admin-*", "assets/staff-*"],
        navigateFallback: "/index.html",
        navigateFallbackAllowlist: [/^\/$/],
        // The city's public content (no token, nothing personal) is kept for offline starts;
        // nothing else from the API is cached by the service worker.
        runtimeCaching: [
          {
            urlPattern: ({ url }) => /^\/v1\/(app-config|areas|pois|quests|streets)$/.test(url.pathname),
            handler: "NetworkFirst",
            options: { cacheName: "lupiae-content", networkTimeoutSeconds: 4 },
          },
        ],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
        clientsClaim: true, // the first visit is served by the worker too, offline at once
        skipWaiting: true,
      },
    }),
  ],
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
