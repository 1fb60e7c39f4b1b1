"""Which CMS family a page of a site no module describes is built on, read off
the page itself: the markers each family declares (crawler.families.spec.Family.markers).

Precision before recall: a page read with a wrong family's selectors gives
wrong fields where the metadata and generic layers would have given right ones
or none. So a family is named only when two of its markers are on the page (its
URL's shape counts as one more once a marker has shown: many families share
/news/<id>, so the shape alone proves nothing) and no other family shows as many.

Cheap: the page's class names and ids are read once (two walks in C); a
marker that is a list of classes and ids is looked up in them, one needing a
class the page lacks costs nothing, and the rest are XPath tests on the tree.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree

from crawler.extract.selectors import classes_in, select
from crawler.families.asam import ASAM
from crawler.families.aspnet_content import ASPNET_CONTENT
from crawler.families.drupal import DRUPAL
from crawler.families.generic import GENERIC
from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.nastooh import NASTOOH
from crawler.families.nour import NOUR
from crawler.families.spec import Family, Site
from crawler.families.studiokhabar import STUDIOKHABAR
from crawler.families.tasnim import TASNIM
from crawler.families.wordpress import WORDPRESS
from crawler.persian.urls import decoded_path

FAMILIES = (NASTOOH, IRANSAMANEH, ASAM, STUDIOKHABAR, TASNIM, WORDPRESS, DRUPAL, ASPNET_CONTENT, NOUR)
MIN_EVIDENCE = 2


def detect_family(root: etree._Element, url: str) -> Family | None:
    """The family whose markers the page shows, or None when none shows enough
    or two show as much."""
    classes = classes_in([root])
    ids = frozenset(_IDS(root))
    path = None
    scores: dict[str, int] = {}
    for family in FAMILIES:
        hits = sum(1 for marker in family.markers if _shown(root, marker, classes, ids))
        if hits:
            if path is None:
                path = decoded_path(url)
            hits += any(pattern.search(path) for pattern in family.article_paths)
        scores[family.name] = hits
    best = max(scores.values(), default=0)
    winners = [f for f in FAMILIES if scores[f.name] == best]
    return winners[0] if best >= MIN_EVIDENCE and len(winners) == 1 else None


_IDS = etree.XPath("//@id", smart_strings=False)
_CLASS_OR_ID = re.compile(r"([.#])([\w-]+)")


def _shown(root: etree._Element, marker: str, classes: frozenset[str], ids: frozenset[str]) -> bool:
    names = [_CLASS_OR_ID.fullmatch(part.strip()) for part in marker.split(",")]
    if not marker.startswith("xpath:") and all(names):
        return any(m.group(2) in (classes if m.group(1) == "." else ids) for m in names)
    found = select(root, marker)
    # (an XPath that computes a value, not nodes, shows the marker when the value is true)
    return any(found) if found and not isinstance(found[0], etree._Element) else bool(found)


def generic_site(url: str) -> Site:
    """The site of a URL no module describes: the generic family on its host."""
    parts = urlsplit(url)
    domain = (parts.hostname or "").lower().removeprefix("www.")
    return Site(name="news", domain=domain, family=GENERIC, base_url=f"{parts.scheme}://{parts.netloc}")


@lru_cache(maxsize=1024)
def detected_site(site: Site, family: Family) -> Site:
    """`site` (a host's generic site) read with a detected family; one object
    per host and family, so that its layers are built once."""
    return replace(site, family=family, detected=True)
