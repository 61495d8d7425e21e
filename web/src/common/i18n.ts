/** Two languages, Italian first. The choice is kept in localStorage (not a secret). */

export type Language = "it" | "en";
export type Dictionary = Record<string, string>;
export type Catalogue = Record<Language, Dictionary>;

const KEY = "lupiae.language";

export class I18n {
  private listeners: Array<() => void> = [];
  language: Language;

  constructor(private readonly catalogue: Catalogue, storage: Storage | null = globalThis.localStorage ?? null) {
    this.storage = storage;
    const saved = storage?.getItem(KEY);
    const browser = globalThis.navigator?.language?.slice(0, 2);
    this.language = saved === "en" || saved === "it" ? saved : browser === "en" ? "en" : "it";
  }

  private readonly storage: Storage | null;

  t(key: string, values: Record<string, string | number> = {}): string {
    const text = this.catalogue[this.language][key] ?? this.catalogue.it[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
  }

  set(language: Language): void {
    this.language = language;
    this.storage?.setItem(KEY, language);
    for (const listener of this.listeners) listener();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Fill every `[data-i18n]` element under `root` with its text. */
  apply(root: ParentNode): void {
    for (const element of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
      element.textContent = this.t(element.dataset.i18n ?? "");
    }
    document.documentElement.lang = this.language;
  }
}
