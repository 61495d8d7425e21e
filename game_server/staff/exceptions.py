"""What can go wrong with staff accounts and their logins."""

from __future__ import annotations

from game_server.kit.errors import Conflict, NotAuthenticated, NotFound, TooManyRequests


class LoginFailed(NotAuthenticated):
    """Wrong email, wrong password or disabled account: one message for all three."""

    slug = "login-failed"
    commit = True  # the audit entry of the failed attempt is kept


class LoginThrottled(TooManyRequests):
    slug = "login-throttled"
    commit = True

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail, retry_after_s=retry_after_s)
        self.retry_after_s = retry_after_s


class StaffExists(Conflict):
    slug = "staff-exists"


class UnknownStaff(NotFound):
    slug = "staff-unknown"
