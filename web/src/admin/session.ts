/** The staff session: the token lives in sessionStorage only (gone with the tab), never in
 * localStorage; a 401 on any call sends the page back to the sign-in form. */

import { ApiError, apiHeaders, problem, request } from "../common/api";

const SLOT = "lupiae.staff.token";

export type Role = "curator" | "admin" | "district";

export interface Me {
  subject: string;
  role: Role;
  email: string;
  /** Role per comune; null for a token minted with the secret (every comune). */
  grants: Record<string, Role> | null;
}

export class StaffSession {
  onExpired: () => void = () => {};

  token(): string | null {
    return sessionStorage.getItem(SLOT);
  }

  async signIn(email: string, password: string): Promise<void> {
    const issued = await request<{ access_token: string }>("/admin/v1/auth/login", { body: { email, password } });
    sessionStorage.setItem(SLOT, issued.access_token);
  }

  signOut(): void {
    sessionStorage.removeItem(SLOT);
  }

  async me(): Promise<Me> {
    return this.call<Me>("/admin/v1/auth/me");
  }

  async call<T>(path: string, options: { method?: string; body?: unknown } = {}): Promise<T> {
    try {
      return await request<T>(path, { ...options, token: this.token() });
    } catch (error) {
      this.expired(error);
      throw error;
    }
  }

  /** A file (a report), as a Blob for a download link. */
  async blob(path: string): Promise<Blob> {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${this.token() ?? ""}`, ...apiHeaders() } });
    if (!response.ok) {
      const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      const error = problem(response.status, response.statusText, data);
      this.expired(error);
      throw error;
    }
    return response.blob();
  }

  /** A multipart upload (content bundles); JSON back. */
  async upload<T>(path: string, form: FormData): Promise<T> {
    const response = await fetch(path, {
      method: "POST",
      headers: { Authorization: `Bearer ${this.token() ?? ""}`, Accept: "application/json", ...apiHeaders() },
      body: form,
    });
    const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      const error = problem(response.status, response.statusText, data);
      this.expired(error);
      throw error;
    }
    return data as T;
  }

  private expired(error: unknown): void {
    if (error instanceof ApiError && error.status === 401) {
      this.signOut();
      this.onExpired();
    }
  }
}
