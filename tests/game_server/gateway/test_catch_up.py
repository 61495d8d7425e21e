"""A socket whose channel is subscribed again after an outage catches up from the log at once.

Events stored while the worker's pub/sub connection was away (or in the second between Redis
coming back and the SUBSCRIBE being confirmed) were published into the void. They must reach
the player right after the re-subscription, not with the player's next event (a player with no
next event would wait for a reconnect). The backend's half — the marker after the confirmation —
is tested in tests/game_server/kit/pubsub/test_contract.py.
"""

from __future__ import annotations

import uuid

from game_server.events import log as events_log
from game_server.events.log import NewEvent
from game_server.kit.db import make_engine, make_session_factory
from game_server.kit.pubsub import RESUBSCRIBED, Message
from tests.conftest import make_settings
from tests.game_server.gateway.live import Player, guest, serving


async def test_events_stored_while_unsubscribed_are_sent_at_the_resubscription(
    database_url: str,
) -> None:
    async with serving(make_settings(database_url)) as (host, app):
        tokens = await guest(host)
        player_id = uuid.UUID(tokens["player_id"])
        async with Player.connect(host, tokens["access_token"]) as (phone, welcome):
            await phone.drain()
            engine = make_engine(database_url)
            async with make_session_factory(engine)() as session:  # stored, never published
                await events_log.append(session, player_id, [NewEvent("xp.gained", {"xp": 5})])
                await session.commit()
            await engine.dispose()
            channel = events_log.player_channel(player_id)
            for subscription in app.state.backend._subscriptions[channel]:
                subscription.deliver(Message(RESUBSCRIBED, b""))
            frame = await phone.recv()
            assert frame["type"] == "event"
            assert frame["kind"] == "xp.gained"
            assert frame["seq"] > welcome["last_seq"]
