"""Declarative descriptions of where a layout keeps each field.

A CMS family is a full `Spec` plus its URL shapes and discovery points; a site
is its family plus the few selectors and addresses that differ. Selectors are
CSS (parsel's `::text` / `::attr()` allowed) or XPath written "xpath:<expr>";
a tuple lists alternatives tried in order, the first that yields a value winning.
Selectors say what a person sees in the page (`article:has(.item-text)`,
`//meta[@property='article:section']/@content`): the engine rewrites them
into the form libxml2 evaluates fastest when it compiles them
(crawler.extract.selectors.attribute_steps; tests/test_select.py holds specs
to the plain forms). XPath is 1.0 without EXSLT's regular expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from crawler.persian.urls import decoded_path, with_path, without_amp

Selectors = tuple[str, ...]

# A path's first segment naming a language: on a host one site shares with its
# other editions (kayhan.ir/en/, iqna.ir/ar/, nournews.ir/en/, tasnimnews.com/tr/),
# a page under another language's is that edition's, never the site's.
_LANGUAGE_PREFIX = re.compile(
    r"/(fa|ar|en|fr|de|es|it|pt|tr|ru|ur|hi|zh|ja|ko|az|ps|ku|ckb|he|hy|ka|tg|uz|kk|ky|bs|sq|sw|ha|ms|bn)(?:-[a-z]{2})?(?:/|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Spec:
    """Selectors for one layout. An empty tuple means "this layer does not know
    the field", so extraction falls through to the next layer."""

    article: Selectors = ()  # container that scopes all other selectors
    uptitle: Selectors = ()
    headline: Selectors = ()
    lead: Selectors = ()
    body: Selectors = ()  # container(s) whose paragraphs make the body
    body_drop: Selectors = ()  # elements inside the body that are not its text
    published: Selectors = ()  # element text or attribute holding the publication time
    modified: Selectors = ()
    source: Selectors = ()
    authors: Selectors = ()
    tags: Selectors = ()
    section: Selectors = ()  # breadcrumb links, outermost first
    images: Selectors = ()  # <img> elements of the article's own pictures
    news_code: Selectors = ()  # element whose text or value holds the code
    # Parts of the page that XPath selectors start from, written $name: (name,
    # selector) pairs, IranSamaneh's date bar for one. A region is found once a
    # page, in the article container where it holds one, else in the whole page
    # (a date bar some sites print outside the article), so its selector is
    # written from where it is searched (CSS, or .//x, not //x). A site's
    # regions are its family's and its own.
    regions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Family:
    """A CMS family: its markup, article URL shapes and usual discovery points."""

    name: str
    spec: Spec
    # Article URL patterns, matched against the URL path, percent-decoded and
    # without an AMP copy's marker (crawler.persian.urls.without_amp), after `rewrites`;
    # group "code" is the news code. Short and legacy forms the site redirects
    # from are patterns too: they are asked as found and the record carries the
    # URL the redirect ends at.
    article_paths: tuple[re.Pattern[str], ...]
    # Paths of listing pages worth following for article links (sections, archives).
    listing_paths: tuple[re.Pattern[str], ...] = ()
    feeds: tuple[str, ...] = ()  # paths of RSS/Atom feeds
    sitemaps: tuple[str, ...] = ("/robots.txt",)  # robots.txt, sitemap indexes or urlsets
    listings: tuple[str, ...] = ("/",)  # listing pages to start from
    # Sitemap indexes of the whole history, walked when a run has a date
    # window (-a since=...): its lastmod dates skip what is outside.
    archives: tuple[str, ...] = ()
    # Whether the code in an article URL is its news code; where it is not
    # (WordPress slugs), the spec's news_code selectors are, and the URL's
    # code only tells articles apart during discovery.
    code_in_url: bool = True
    # Other forms of an article's path, rewritten to the form it is asked under:
    # (pattern, re.sub replacement) pairs, the first that matches the path
    # (decoded, AMP marker dropped) applies. ISNA's AMP copy /amp/<code>/ is /<code>/
    # without its marker, which Nastooh answers as /news/<code>.
    rewrites: tuple[tuple[re.Pattern[str], str], ...] = ()
    # The article URL shapes the patterns accept, as docs/sites.md's table lists
    # them: <code> is the news code, <slug> a title, <section> a section's
    # name, <n> a number, <date> a date's Y/M/D (tests/test_url_shapes.py reads
    # each back through the patterns).
    url_shapes: tuple[str, ...] = ()

    def article_path(self, path: str) -> str:
        """The decoded path `path` is read as and asked under: without an AMP
        marker, rewritten where a rewrite matches."""
        path = without_amp(path)
        for pattern, replacement in self.rewrites:
            rewritten, n = pattern.subn(replacement, path, count=1)
            if n:
                return rewritten
        return path

    def article_url(self, url: str) -> str:
        """The URL an article found at `url` is asked under: the canonical
        form where `url` is an AMP copy or a rewritten form, else `url` itself
        (its query kept: some feeds' links need theirs)."""
        path = decoded_path(url)
        canonical = self.article_path(path)
        return url if canonical == path else with_path(url, canonical)
    # Selectors (CSS or XPath) of markup only this family's pages carry: a page
    # of an unlisted site showing two of them (its URL's shape counting as one
    # more once one has shown) is read with this family's spec (crawler.families.detect).
    markers: Selectors = ()


@dataclass(frozen=True)
class Site:
    """One news site: a family plus what differs. Adding a site is one of these."""

    name: str  # spider name
    domain: str  # registrable domain without www., the export's `site`
    family: Family
    base_url: str  # scheme and host the crawl starts from
    names: tuple[str, ...] = ()  # the site's own names, stripped from titles and lead prefixes
    language: str = "fa"
    overrides: Spec = field(default_factory=Spec)  # selectors that differ from the family's
    feeds: tuple[str, ...] | None = None  # None: the family's
    sitemaps: tuple[str, ...] | None = None
    listings: tuple[str, ...] | None = None
    # Other hosts serving the same site (mirrors, old domains). The site's hosts
    # are these and its domain, each bare or under www.; no other subdomain is:
    # ar.mehrnews.com is Mehr's Arabic edition, video.varzesh3.com another service.
    hosts: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()  # path prefixes, when editions share a host (Tasnim's /fa/ and /en/)
    # Least share of exported articles with each field, over CRAWLER_COVERAGE_THRESHOLDS
    # (crawler.ops.monitor): {"lead": 0} for a site that prints no leads.
    coverage: dict[str, float] = field(default_factory=dict, hash=False)
    # Served over plain HTTP only (its TLS broken or missing): crawls start from
    # http:// whatever base_url says; links on its pages lead on from there.
    plain_http: bool = False
    url_shapes: tuple[str, ...] | None = None  # None: the family's (Family.url_shapes)
    # A site no module describes, whose family was recognised from its page's
    # markup (crawler.families.detect): its layers say so in field_sources.
    detected: bool = False

    @property
    def start_url(self) -> str:
        """base_url, over http:// when the site needs plain HTTP."""
        return re.sub(r"^https://", "http://", self.base_url) if self.plain_http else self.base_url

    @property
    def start_feeds(self) -> tuple[str, ...]:
        return self.family.feeds if self.feeds is None else self.feeds

    @property
    def start_sitemaps(self) -> tuple[str, ...]:
        return self.family.sitemaps if self.sitemaps is None else self.sitemaps

    @property
    def start_listings(self) -> tuple[str, ...]:
        return self.family.listings if self.listings is None else self.listings

    @property
    def article_shapes(self) -> tuple[str, ...]:
        """The article URL shapes the site takes: its own, or those of its family's under its paths
        (an English edition on Nastooh has no /fa/news/<code>/)."""
        if self.url_shapes is not None:
            return self.url_shapes
        return tuple(shape for shape in self.family.url_shapes if self.owns_path(shape))

    def serves_host(self, host: str) -> bool:
        """Whether `host` is one of the site's own (see `hosts`)."""
        return host.lower().rstrip(".").removeprefix("www.") in (self.domain, *self.hosts)

    def owns_path(self, path: str) -> bool:
        """Whether the path is under the site's prefixes, where it has any, and
        under no other language's."""
        language = _LANGUAGE_PREFIX.match(path)
        if language and language[1].lower() != self.language:
            return False
        # The path as written first: decoding a slug of Persian words costs ~40 µs.
        return not self.paths or path.startswith(self.paths) or unquote(path).startswith(self.paths)

    def owns(self, url: str) -> bool:
        parts = urlsplit(url)
        return self.serves_host(parts.hostname or "") and self.owns_path(parts.path)
