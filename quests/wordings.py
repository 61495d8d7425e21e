"""The quests' problem details (the rules' refusals, badges, teams, friends) in Italian.

The wiring composes them with every domain's (game_server/wordings.py)."""

from __future__ import annotations

WORDINGS = [
    (r"there is no badge '(?P<b>.*)'", "non esiste la medaglia '{b}'"),
    (r"you have not been awarded the badge '(?P<b>.*)'", "non hai ottenuto la medaglia '{b}'"),
    (
        r"leave your team before founding another one",
        "lascia la tua squadra prima di fondarne un'altra",
    ),
    (
        r"leave your team before joining another one",
        "lascia la tua squadra prima di entrare in un'altra",
    ),
    (r"you joined another team meanwhile", "nel frattempo sei entrato in un'altra squadra"),
    (
        r"you are not in a team; create one or join with a code",
        "non sei in una squadra; creane una o entra con un codice",
    ),
    (r"there is no quest '(?P<q>.*)'", "non esiste la missione '{q}'"),
    (
        r"answer this question while you are at (?P<n>.+)",
        "rispondi a questa domanda mentre sei a {n}",
    ),
    (r"complete (?P<m>.+) before starting '(?P<q>.*)'", "completa {m} prima di iniziare '{q}'"),
    (
        r"quest '(?P<q>.*)' can be played again from (?P<t>.+)",
        "la missione '{q}' si può rigiocare da {t}",
    ),
    (
        r"quest '(?P<q>.*)' cannot be played at this time",
        "la missione '{q}' non si gioca a quest'ora",
    ),
    (r"quest '(?P<q>.*)' has no step '(?P<s>.*)'", "la missione '{q}' non ha la tappa '{s}'"),
    (r"quest '(?P<q>.*)' is already completed", "la missione '{q}' è già completata"),
    (r"start quest '(?P<q>.*)' before answering", "inizia la missione '{q}' prima di rispondere"),
    (
        r"step '(?P<s>.*)' of '(?P<q>.*)' is not open yet",
        "la tappa '{s}' di '{q}' non è ancora aperta",
    ),
    (
        r"step '(?P<s>.*)' of '(?P<q>.*)' is not a question",
        "la tappa '{s}' di '{q}' non è una domanda",
    ),
    (r"that is not the right answer", "non è la risposta giusta"),
    (
        r"too many wrong answers to this question; try again in (?P<n>\d+) s",
        "troppe risposte sbagliate a questa domanda; riprova tra {n} s",
    ),
    (r"this player is not your friend", "questo giocatore non è tuo amico"),
    (r"this is your own invite code", "questo è il tuo codice di invito"),
    (r"this team already has (?P<n>\d+) members", "questa squadra ha già {n} membri"),
    (r"no leaderboard called (?P<n>'.*')", "nessuna classifica chiamata {n}"),
    (r"no player has this invite code", "nessun giocatore ha questo codice di invito"),
    (r"no team has this join code", "nessuna squadra ha questo codice"),
]
