"""What can go wrong in the social game, as problems a player's app can act on."""

from __future__ import annotations

from game_server.kit.errors import Conflict, NotFound, Unprocessable


class MalformedCode(Unprocessable):
    slug = "code-malformed"


class UnknownCode(NotFound):
    slug = "code-unknown"


class AlreadyInTeam(Conflict):
    slug = "team-already-member"


class TeamFull(Conflict):
    slug = "team-full"


class NotInTeam(NotFound):
    slug = "team-none"


class SelfFriendship(Unprocessable):
    slug = "friend-self"


class NotAFriend(NotFound):
    slug = "friend-unknown"


class UnknownBoard(NotFound):
    slug = "leaderboard-unknown"
