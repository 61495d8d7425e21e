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

export interface RequestOptions {
  method?: string;
  body?: unknown;
  token?: string | null;
  language?: string;
  accept?: string;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: options.accept ?? "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.language) headers["Accept-Language"] = options.language;
  const response = await fetch(path, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const data = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) {
    const slug = String(data.type ?? "").split("/").pop() || String(response.status);
    throw new ApiError(response.status, slug, String(data.detail ?? response.statusText), data);
  }
  return data as T;
}
