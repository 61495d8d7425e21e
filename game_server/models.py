"""Every mapped table, imported in one place for Alembic and for `create_all` in tests."""

from game_server.catalog.models import Area, ContentVersion, Poi
from game_server.db import Base
from game_server.events.models import EventCursor, PlayerEvent
from game_server.players.models import Player, RefreshToken

__all__ = [
    "Area",
    "Base",
    "ContentVersion",
    "EventCursor",
    "Player",
    "PlayerEvent",
    "Poi",
    "RefreshToken",
]
