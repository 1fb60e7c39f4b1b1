"""The registry of supported sites: every module in this package that
defines `SITE` adds one. Adding a site is adding a module here."""

from __future__ import annotations

import copyreg
import importlib
import pkgutil
from functools import lru_cache
from urllib.parse import urlsplit

from crawler.families.spec import Site


@lru_cache(maxsize=1)
def all_sites() -> tuple[Site, ...]:
    sites = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if isinstance(getattr(module, "SITE", None), Site):
            sites.append(module.SITE)
    return tuple(sites)


def site_for_url(url: str) -> Site | None:
    """The site that owns the URL (`Site.owns`: en.irna.ir is IRNA English's,
    ar.irna.ir nobody's); where editions share a host, the one whose path
    prefix matches, before one that claims the whole host."""
    host = urlsplit(url).hostname or ""
    owners = [site for site in _sites_claiming(host) if site.owns(url)]
    if len(owners) == 1:  # (most hosts have one site)
        return owners[0]
    return max(owners, key=lambda site: bool(site.paths), default=None)


@lru_cache(maxsize=4096)
def _sites_claiming(host: str) -> tuple[Site, ...]:
    # Asked for every page and link a crawl meets; matching every site each time was 5% of extraction.
    return tuple(site for site in all_sites() if site.serves_host(host))


def site_named(name: str) -> Site:
    for site in all_sites():
        if site.name == name:
            return site
    raise KeyError(f"no site named {name!r}; known: {', '.join(s.name for s in all_sites())}")


def _pickled(site: Site):
    """A registered site goes to a worker process (`iran-news-extract -j`,
    crawler.extract.batch) by name, looked up there in the worker's own registry:
    pickling the whole Site for every page cost ~70 µs, and each copy made
    extraction build the site's layers again. Any other Site (a mirror's, the news spider's) goes whole.
    (Registered with copyreg, so that the Site need not know the registry.)"""
    try:
        if site_named(site.name) is site:
            return site_named, (site.name,)
    except KeyError:
        pass
    return site.__reduce_ex__(2)


copyreg.pickle(Site, _pickled)
