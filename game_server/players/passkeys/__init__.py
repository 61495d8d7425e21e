"""Passkeys (WebAuthn): a guest keeps their progress by registering one, and signs in with it
on another device as the same player. Verification is py_webauthn's; see docs/web.md."""
