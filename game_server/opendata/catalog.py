"""The DCAT-AP_IT catalogue of the published releases, as RDF (Turtle and JSON-LD).

One catalogue per deployment (published by Lecce's comune when it is served); per comune one
dataset ("visits to heritage sites per hour"), published by that comune with its IPA code
(`game_server.cities`: its city.yaml), whose distributions are the published releases' CSV
and GeoJSON files, each with its CC-BY 4.0 licence and a `dcat:downloadURL` under
`/opendata/`. The properties DCAT-AP_IT makes mandatory are all there (see
tests/game_server/opendata/shapes.ttl): the catalogue's title, description, publisher,
modified and datasets; each dataset's identifier, title, description, theme, publisher and
rights holder (an agent with the IPA code), contact point, modified, frequency, temporal and
spatial coverage; each distribution's access URL, format and licence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from content.model import DEFAULT_CITY, City
from game_server.opendata.models import OpenDataRelease

DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
THEME = URIRef("http://publications.europa.eu/resource/authority/data-theme/EDUC")
DAILY = URIRef("http://publications.europa.eu/resource/authority/frequency/DAILY")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
CC_BY_TYPE = URIRef("http://purl.org/adms/licencetype/Attribution")
FORMATS = {
    "csv": URIRef("http://publications.europa.eu/resource/authority/file-type/CSV"),
    "geojson": URIRef("http://publications.europa.eu/resource/authority/file-type/GEOJSON"),
}
MEDIA = {"csv": "text/csv", "geojson": "application/geo+json"}
LANG_IT = URIRef("http://publications.europa.eu/resource/authority/language/ITA")


def _agent(graph: Graph, base: str, city: City) -> URIRef:
    agent = URIRef(f"{base}/opendata/{city.slug}#publisher")
    graph.add((agent, RDF.type, DCATAPIT.Agent))
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(city.publisher.it, lang="it")))
    graph.add((agent, FOAF.name, Literal(city.publisher.en, lang="en")))
    graph.add((agent, DCTERMS.identifier, Literal(city.ipa_code)))
    return agent


def _licence(graph: Graph) -> URIRef:
    graph.add((CC_BY, RDF.type, DCATAPIT.LicenseDocument))
    graph.add((CC_BY, RDF.type, DCTERMS.LicenseDocument))
    graph.add((CC_BY, DCTERMS.type, CC_BY_TYPE))
    graph.add((CC_BY, FOAF.name, Literal("Creative Commons Attribution 4.0 International")))
    return CC_BY


def _date(value: date | datetime) -> Literal:
    day = value.date() if isinstance(value, datetime) else value
    return Literal(day.isoformat(), datatype=XSD.date)


def _coverage(graph: Graph, dataset: URIRef, city: City, first: date, last: date) -> None:
    period = BNode()
    graph.add((dataset, DCTERMS.temporal, period))
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((period, DCAT.startDate, _date(first)))
    graph.add((period, DCAT.endDate, _date(last)))
    place = BNode()
    west, south, east, north = city.bbox
    box = f"POLYGON(({west} {south},{east} {south},{east} {north},{west} {north},{west} {south}))"
    graph.add((dataset, DCTERMS.spatial, place))
    graph.add((place, RDF.type, DCTERMS.Location))
    if city.istat_code is not None:  # city.yaml's istat_code (DCAT-AP_IT asks for it)
        graph.add((place, DCATAPIT.geographicalIdentifier, Literal(city.istat_code)))
    graph.add((place, LOCN.geographicalName, Literal(city.name.it, lang="it")))
    graph.add(
        (
            place,
            LOCN.geometry,
            Literal(box, datatype=URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")),
        )
    )


def _contact(graph: Graph, base: str, city: City) -> URIRef:
    contact = URIRef(f"{base}/opendata/{city.slug}#contact")
    graph.add((contact, RDF.type, DCATAPIT.Organization))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(f"{city.publisher.it} — ufficio open data")))
    if city.website is not None:
        graph.add((contact, VCARD.hasURL, URIRef(city.website)))
    return contact


def _distribution(
    graph: Graph, base: str, city: City, release: OpenDataRelease, kind: str
) -> URIRef:
    day = release.day.isoformat()
    url = URIRef(f"{base}/opendata/{city.slug}/{day}/visits.{kind}")
    dist = URIRef(f"{url}#distribution")
    graph.add((dist, RDF.type, DCATAPIT.Distribution))
    graph.add((dist, RDF.type, DCAT.Distribution))
    graph.add((dist, DCTERMS.title, Literal(f"Visite {day} ({kind.upper()})", lang="it")))
    graph.add((dist, DCAT.accessURL, url))
    graph.add((dist, DCAT.downloadURL, url))
    graph.add((dist, DCTERMS.format, FORMATS[kind]))
    graph.add((dist, DCAT.mediaType, Literal(MEDIA[kind])))
    graph.add((dist, DCTERMS.license, _licence(graph)))
    graph.add((dist, DCTERMS.modified, _date(release.published_at or release.built_at)))
    return dist


TITLE = ("Visite ai siti del patrimonio per ora — {}", "Heritage site visits per hour — {}")
DESCRIPTION = (
    "Visite ai siti del patrimonio per sito e ora locale, dal gioco Lupiae: il contributo di "
    "ciascun giocatore è limitato, i conteggi sotto 10 sono soppressi. Un file al giorno, "
    "almeno due giorni dopo.",
    "Visits to heritage sites per site and local hour, from the Lupiae game: each player's "
    "contribution is capped, counts under 10 are suppressed. One file a day, at least two "
    "days later.",
)


def _texts(graph: Graph, node: URIRef, predicate: URIRef, texts: tuple[str, str]) -> None:
    graph.add((node, predicate, Literal(texts[0], lang="it")))
    graph.add((node, predicate, Literal(texts[1], lang="en")))


def _describe(graph: Graph, dataset: URIRef, base: str, city: City) -> None:
    agent = _agent(graph, base, city)
    graph.add((dataset, RDF.type, DCATAPIT.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(f"{city.ipa_code}:lupiae-heritage-visits")))
    titles = (TITLE[0].format(city.name.it), TITLE[1].format(city.name.en))
    _texts(graph, dataset, DCTERMS.title, titles)
    _texts(graph, dataset, DCTERMS.description, DESCRIPTION)
    graph.add((dataset, DCAT.theme, THEME))
    graph.add((dataset, DCTERMS.publisher, agent))
    graph.add((dataset, DCTERMS.rightsHolder, agent))
    graph.add((dataset, DCAT.contactPoint, _contact(graph, base, city)))
    graph.add((dataset, DCTERMS.accrualPeriodicity, DAILY))
    graph.add((dataset, DCTERMS.language, LANG_IT))
    for keyword in ("turismo", "patrimonio culturale", "beni culturali"):
        graph.add((dataset, DCAT.keyword, Literal(keyword, lang="it")))


def _dataset(graph: Graph, base: str, city: City, releases: Sequence[OpenDataRelease]) -> URIRef:
    dataset = URIRef(f"{base}/opendata/{city.slug}#heritage-visits")
    _describe(graph, dataset, base, city)
    days = [r.day for r in releases]
    modified = max((r.published_at or r.built_at for r in releases), default=None)
    if modified is not None:
        graph.add((dataset, DCTERMS.modified, _date(modified)))
        _coverage(graph, dataset, city, min(days), max(days))
    for release in releases:
        for kind in ("csv", "geojson"):
            graph.add((dataset, DCAT.distribution, _distribution(graph, base, city, release, kind)))
    return dataset


def catalogue(
    base: str,
    cities: Sequence[City],
    releases: dict[str, list[OpenDataRelease]],
    now: datetime,
) -> Graph:
    """The whole catalogue; `releases` maps a comune to its published releases."""
    graph = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("dcatapit", DCATAPIT),
        ("vcard", VCARD),
        ("locn", LOCN),
    ):
        graph.bind(prefix, ns)
    root = URIRef(f"{base}/opendata/catalog")
    graph.add((root, RDF.type, DCATAPIT.Catalog))
    graph.add((root, RDF.type, DCAT.Catalog))
    graph.add((root, DCTERMS.title, Literal("Lupiae — dati aperti", lang="it")))
    graph.add(
        (
            root,
            DCTERMS.description,
            Literal("Dati aperti anonimi del gioco Lupiae, per comune.", lang="it"),
        )
    )
    graph.add((root, FOAF.homepage, URIRef(f"{base}/opendata/")))
    graph.add((root, DCTERMS.language, LANG_IT))
    everything = [r for rs in releases.values() for r in rs]
    modified = max((r.published_at or r.built_at for r in everything), default=None)
    if cities:  # the deployment's own comune publishes the catalogue; each dataset its own
        owner = next((c for c in cities if c.slug == DEFAULT_CITY), cities[0])
        graph.add((root, DCTERMS.publisher, _agent(graph, base, owner)))
    graph.add((root, DCTERMS.modified, _date(modified or now)))
    for city in cities:
        if releases.get(city.slug):
            graph.add((root, DCAT.dataset, _dataset(graph, base, city, releases[city.slug])))
    return graph
