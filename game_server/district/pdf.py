"""The monitoring pack's printable report (`district.report`): its tables and four charts,
drawn with matplotlib (Agg, no display) and laid out with fpdf2, both imported when a report is
drawn (the server does not load them otherwise). Counts under k are shown as "<k"."""

from __future__ import annotations

import io
from typing import Any

from game_server.district import figures
from game_server.district.campaigns import Campaign


def _latin(text: str) -> str:
    """The core PDF fonts speak Latin-1: Italian accents pass, other marks are replaced."""
    return text.replace("—", "-").replace("’", "'").encode("latin-1", "replace").decode("latin-1")


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=130, bbox_inches="tight")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    plt.close(figure)
    return buffer.getvalue()


def _charts(
    foot: figures.Footfall,
    shops: list[tuple[Any, figures.Funnel]],
    campaigns: list[Campaign],
    k: int,
) -> list[tuple[str, bytes]]:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    charts = []
    names = [s.name["it"] for s in foot.streets]
    players = [s.players if s.players >= k else 0 for s in foot.streets]
    base = [s.baseline_players if s.baseline_players >= k else 0 for s in foot.streets]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    y = range(len(names))
    ax.barh([i + 0.2 for i in y], players, height=0.4, label="mese / month", color="#b5532b")
    ax.barh([i - 0.2 for i in y], base, height=0.4, label="base / baseline", color="#9aa5b1")
    ax.set_yticks(list(y), names, fontsize=8)
    ax.set_xlabel("giocatori-ora / player-hours")
    ax.legend(fontsize=8)
    charts.append(("Passaggi per via / Footfall per street (base: mediana 4 settimane)", _png(fig)))

    fig, ax = plt.subplots(figsize=(8, 3.6))
    for s in foot.streets:
        series = foot.by_hour_of_day.get(s.slug, [0.0] * 24)
        ax.plot(range(24), series, label=s.name["it"], linewidth=1.4)
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlabel("ora / hour")
    ax.set_ylabel("giocatori medi / mean players")
    ax.legend(fontsize=7, ncol=2)
    charts.append(("Giocatori per ora del giorno / Players per hour of day", _png(fig)))

    fig, ax = plt.subplots(figsize=(8, 3.6))
    labels = [m.name for m, _ in shops]
    stages = (
        ("issued", "emessi", "#9aa5b1"),
        ("redeemed", "riscattati", "#2f7d4f"),
        ("voided", "annullati", "#d9a400"),
        ("expired", "scaduti", "#b5532b"),
    )
    width = 0.2
    for n, (key, label, color) in enumerate(stages):
        values = [getattr(f, key) if getattr(f, key) >= k else 0 for _, f in shops]
        ax.bar(
            [i + (n - 1.5) * width for i in range(len(labels))],
            values,
            width,
            label=label,
            color=color,
        )
    ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=15)
    ax.legend(fontsize=8)
    charts.append(("Buoni per esercizio / Coupon funnel per shop", _png(fig)))

    fig, ax = plt.subplots(figsize=(8, 3.2))
    slugs = [c.template for c in campaigns]
    lifts = [
        (c.uplift or 0.0) * 100 if c.players >= k and c.baseline_players >= k else 0.0
        for c in campaigns
    ]
    ax.bar(slugs, lifts, color=["#2f7d4f" if v >= 0 else "#b5532b" for v in lifts])
    ax.axhline(0, color="#333", linewidth=0.8)
    ax.set_ylabel("% sulla base / vs baseline")
    ax.tick_params(axis="x", labelsize=7, rotation=15)
    charts.append(
        ("Variazione nelle vie delle campagne / Campaign uplift in its streets", _png(fig))
    )
    return charts


def render_pdf(
    comune: str,
    month: str,
    foot: figures.Footfall,
    shops: list[tuple[Any, figures.Funnel]],
    total: figures.Funnel,
    campaigns: list[Campaign],
    k: int,
) -> tuple[bytes, int]:
    from fpdf import FPDF  # noqa: PLC0415

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(f"Distretto Urbano del Commercio - {comune} - {month}")
    pdf.set_creator("Lupiae")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(
        0, 8, _latin(f"Distretto Urbano del Commercio di {comune}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", "", 12)
    pdf.multi_cell(
        0,
        7,
        _latin(f"Rapporto di monitoraggio / Monitoring report - {month}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        _latin(
            "Cifre aggregate dal gioco Lupiae: passaggi nelle vie commerciali (giocatori "
            "distinti per via e ora, HyperLogLog, errore 0,81 %), buoni emessi e riscattati. "
            "Base: mediana dello stesso giorno e ora nelle 4 settimane precedenti. Celle sotto "
            f"k = {k} soppresse (vuote), come nei dati aperti. Significato ed errore di ogni "
            "cifra: docs/district.md. / Aggregates from the Lupiae game; cells under k "
            "suppressed, as in the open data."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    rows: list[tuple[str, ...]] = [
        ("Via / street", "giocatori-ora", "base", "variazione", "sosta media s")
    ]
    for s in foot.streets:
        shown = s.players >= k
        rows.append(
            (
                s.name["it"],
                str(s.players) if shown else "<k",
                f"{s.baseline_players:g}" if s.baseline_players >= k else "<k",
                f"{s.uplift * 100:+.0f} %"
                if shown and s.uplift is not None and s.baseline_players >= k
                else "-",
                f"{s.mean_dwell_s:.0f}" if shown and s.mean_dwell_s is not None else "-",
            )
        )
    _table(pdf, rows, (70, 30, 25, 30, 30))
    pdf.ln(3)
    rows = [("Esercizio / shop", "emessi", "riscattati", "annullati", "scaduti", "tasso")]
    for m, f in [*shops, (None, total)]:
        name = str(m.name) if m is not None else "Distretto / district"
        rows.append(
            (
                name,
                *(str(v) if v >= k else "<k" for v in (f.issued, f.redeemed, f.voided, f.expired)),
                f"{f.redemption_rate * 100:.0f} %"
                if f.redemption_rate is not None and f.redeemed >= k
                else "-",
            )
        )
    _table(pdf, rows, (70, 22, 24, 24, 22, 22))
    for title, png in _charts(foot, shops, campaigns, k):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, _latin(title), new_x="LMARGIN", new_y="NEXT")
        pdf.image(io.BytesIO(png), w=180)
    return bytes(pdf.output()), pdf.page_no()


def _table(pdf: Any, rows: list[tuple[str, ...]], widths: tuple[int, ...]) -> None:
    for n, row in enumerate(rows):
        pdf.set_font("Helvetica", "B" if n == 0 else "", 8)
        for text, width in zip(row, widths, strict=False):
            pdf.cell(width, 6, _latin(text)[:48], border=1)
        pdf.ln(6)
