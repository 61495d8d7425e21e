/** Passkeys (WebAuthn) through @simplewebauthn/browser; the server side is
 * game_server/players/passkeys (py_webauthn). */

import type { Ctx } from "./context";
import type { TokenPair } from "./auth";
import { request } from "../common/api";

/** Register a passkey for the player signed in now (a guest keeps their progress). */
export async function createPasskey(ctx: Ctx): Promise<void> {
  const { startRegistration } = await import("@simplewebauthn/browser");
  const optionsJSON = await ctx.api<Parameters<typeof startRegistration>[0]["optionsJSON"]>(
    "/v1/auth/passkeys/register/options",
    { method: "POST", body: {} },
  );
  const credential = await startRegistration({ optionsJSON });
  await ctx.api("/v1/auth/passkeys/register", { body: { credential } });
}

/** Sign in with a passkey on this device: the same player, a new token pair. */
export async function signInWithPasskey(): Promise<TokenPair> {
  const { startAuthentication } = await import("@simplewebauthn/browser");
  const optionsJSON = await request<Parameters<typeof startAuthentication>[0]["optionsJSON"]>(
    "/v1/auth/passkeys/login/options",
    { method: "POST", body: {} },
  );
  const credential = await startAuthentication({ optionsJSON });
  return request<TokenPair>("/v1/auth/passkeys/login", { body: { credential } });
}
