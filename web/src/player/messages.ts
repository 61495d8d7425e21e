import type { Catalogue } from "../shared/i18n";

export const messages: Catalogue = {
  it: {
    skip: "Vai al contenuto",
    "welcome.title": "Benvenuto nella Lecce storica",
    "welcome.text": "Cammina tra le porte, le chiese e le piazze: ogni visita vera conta.",
    "welcome.start": "Inizia a giocare",
    "welcome.passkey": "Accedi con una passkey",
    "map.label": "Mappa della città antica con mura, distretto e siti",
    "player.playing": "Giochi come {name}",
    "lang.switch": "English",
  },
  en: {
    skip: "Skip to content",
    "welcome.title": "Welcome to historic Lecce",
    "welcome.text": "Walk between the gates, churches and squares: every real visit counts.",
    "welcome.start": "Start playing",
    "welcome.passkey": "Sign in with a passkey",
    "map.label": "Map of the old town with walls, district and sites",
    "player.playing": "Playing as {name}",
    "lang.switch": "Italiano",
  },
};
