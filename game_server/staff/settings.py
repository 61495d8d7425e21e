"""The staff accounts' settings (the admin API), read from `LUPIAE_*` like the kernel's."""

from __future__ import annotations

from pydantic import Field

from game_server.kit.settings import KernelSettings


class StaffSettings(KernelSettings):
    # Token lifetime; failed logins allowed per window for one account from one client, for
    # one client whatever the accounts, and for one account from clients it never logged in
    # from (docs/security.md: never an account lock-out).
    staff_token_ttl_s: int = Field(default=900, ge=60, le=3600)
    staff_login_failures: int = Field(default=5, ge=1)
    staff_login_client_failures: int = Field(default=20, ge=1)
    staff_login_account_failures: int = Field(default=100, ge=1)
    staff_login_window_s: int = Field(default=900, ge=1)
