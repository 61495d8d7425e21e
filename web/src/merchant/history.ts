/** Today's redemptions as table rows, with a Void button while the window is open. */

import type { I18n } from "../common/i18n";
import { display, squeeze } from "./codes";
import type { Redemption } from "./shop";

function time(iso: string, i18n: I18n): string {
  return new Date(iso).toLocaleTimeString(i18n.language === "it" ? "it-IT" : "en-GB", {
    timeZone: "Europe/Rome",
    hour: "2-digit",
    minute: "2-digit",
  });
}

function cell(row: HTMLTableRowElement, text: string, className = ""): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

export function renderHistory(
  body: HTMLTableSectionElement,
  items: Redemption[],
  i18n: I18n,
  onVoid: (id: string, code: string) => void,
): void {
  body.replaceChildren();
  if (items.length === 0) {
    const row = body.insertRow();
    cell(row, i18n.t("today.empty")).colSpan = 4;
    return;
  }
  const now = Date.now();
  for (const item of items) {
    const code = squeeze(item.code);
    const row = body.insertRow();
    row.dataset.code = code;
    cell(row, time(item.redeemed_at, i18n));
    cell(row, display(code), "code");
    cell(row, item.offer[i18n.language] + (item.reference ? ` · ${item.reference}` : ""));
    const state = cell(row, item.voided_at ? i18n.t("state.voided", { when: time(item.voided_at, i18n) }) : i18n.t("state.ok"));
    if (!item.voided_at && Date.parse(item.void_until) > now) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "danger";
      button.textContent = i18n.t("void.button");
      button.setAttribute("aria-label", i18n.t("void.label", { code: display(code) }));
      button.addEventListener("click", () => {
        button.disabled = true;
        onVoid(item.id, code);
      });
      state.append(" ", button);
    }
  }
}
