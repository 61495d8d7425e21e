/** HTTP to the Lupiae API: JSON in and out, RFC 9457 problems turned into ApiError. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    detail: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

/** The page's UI language, sent as Accept-Language on every call so that the server's problem
 * details (and any localised content) come back in it; the browser's own header follows the
 * system language, not the page's switch. Each page calls `speak(() => i18n.language)` once. */
let uiLanguage: (() => string) | null = null;

export function speak(language: () => string): void {
  uiLanguage = language;
}

/** Headers every call to the API carries: the UI language (`language` overrides it). */
export function apiHeaders(language?: string): Record<string, string> {
  const chosen = language ?? uiLanguage?.();
  return chosen ? { "Accept-Language": chosen } : {};
}

/** An RFC 9457 problem (or any failed answer) as an ApiError with the server's detail. */
export function problem(status: number, statusText: string, data: Record<string, unknown>): ApiError {
  const slug = String(data.type ?? "").split("/").pop() || String(status);
  return new ApiError(status, slug, String(data.detail ?? data.title ?? statusText), data);
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  token?: string | null;
  language?: string;
  accept?: string;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: options.accept ?? "application/json", ...apiHeaders(options.language) };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const response = await fetch(path, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const data = parse(text, response.ok);
  if (!response.ok) throw problem(response.status, response.statusText, data);
  return data as T;
}

/** The body as JSON; a failed answer that is not JSON (a proxy's page) gives `{}`. */
function parse(text: string, ok: boolean): Record<string, unknown> {
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    if (ok) throw error;
    return {};
  }
}
