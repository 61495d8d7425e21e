"""The socket close codes the server uses, in one place (RFC 6455 §7.4.1; 1013 from the
IANA registry). A domain error carries one (`DomainError.close_code`)."""

from __future__ import annotations

from enum import IntEnum


class CloseCode(IntEnum):
    """The socket close codes the server uses (RFC 6455 §7.4.1; 1013 from the IANA registry)."""

    UNSUPPORTED_DATA = 1003  # not a JSON text frame
    POLICY_VIOLATION = 1008  # a refusal: bad hello or token, banned, abuse, expired
    MESSAGE_TOO_BIG = 1009
    INTERNAL_ERROR = 1011  # a bug, logged with its traceback
    TRY_AGAIN_LATER = 1013  # a dependency cannot serve now, a slow consumer: reconnect
    # Beyond the standard ones (docs/realtime.md):
    SUPERSEDED = 4001  # the player opened more than max_sockets_per_player: the oldest goes
