/** A tiny element builder: text is always set as text, never parsed as HTML. */

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | boolean | number | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

export function when(iso: string | null | undefined, language: string): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(language === "it" ? "it-IT" : "en-GB", {
    timeZone: "Europe/Rome",
    dateStyle: "short",
    timeStyle: "medium",
  });
}

/** A labelled input in a wrapper, for forms. */
export function field(id: string, label: string, input: HTMLElement): HTMLElement {
  input.id = id;
  return h("div", { class: "stack" }, h("label", { for: id }, label), input);
}
