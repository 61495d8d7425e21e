"""Team and friends from the page: create a team, a second player joins with its code and adds
the first as a friend with their invite code; rankings show the player's own rank."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import new_context, shoot, start_guest

pytestmark = pytest.mark.browser


def open_team(page: Page) -> None:
    page.get_by_role("button", name="Squadra", exact=True).click()
    expect(page.get_by_role("heading", name="La tua squadra")).to_be_visible()


def test_team_and_friends_between_two_players(browser: Browser, web_server: str) -> None:
    first_context = new_context(browser, web_server)
    second_context = new_context(browser, web_server)
    try:
        first, second = first_context.new_page(), second_context.new_page()
        start_guest(first)
        start_guest(second)
        open_team(first)
        first.get_by_label("Nome della squadra").fill("Contrada dei Gigli")
        first.get_by_role("button", name="Crea una squadra").click()
        expect(first.locator("[data-team]")).to_have_text("Contrada dei Gigli")
        team_code = first.locator("#view").inner_text().split("Codice per entrare: ")[1].split()[0]
        invite = first.locator(".invite").get_attribute("data-code") or ""

        open_team(second)
        second.get_by_label("Codice della squadra").fill(team_code)
        second.get_by_role("button", name="Entra con un codice").click()
        expect(second.locator("[data-team]")).to_have_text("Contrada dei Gigli")
        expect(second.get_by_text("2 di")).to_be_visible()
        second.get_by_label("Codice invito dell'amico").fill(invite)
        second.get_by_role("button", name="Aggiungi un amico").click()
        expect(second.locator(".friends li")).to_have_count(1)
        shoot(second, "team")

        first.get_by_role("button", name="Profilo").click()
        open_team(first)
        expect(first.locator(".friends li")).to_have_count(1)
        expect(first.get_by_text("2 di")).to_be_visible()
    finally:
        first_context.close()
        second_context.close()
