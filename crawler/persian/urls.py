"""Links as pages write them, made absolute, whether a request can be made
of them, and the decoded path URL patterns read: the one place a page's href
becomes a URL, so a malformed one is skipped rather than raised."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

# An AMP copy's marker: an `amp` path segment (YJC's /fa/amp/news/<code>, ISNA's
# /amp/<code>/, Tasnim's .../<slug>/amp) or an `.amp` suffix (BBC's /persian/articles/<id>.amp).
_AMP = re.compile(r"/amp(?=/|$)|\.amp$", re.IGNORECASE)


def absolute_url(base: str, href: str | None) -> str | None:
    """`href`, stripped, joined to `base`; None when it is empty or is no
    URL urllib can read (an unclosed IPv6 bracket, "http://[x", is one sites
    publish): urllib raises ValueError there, which took a whole page or
    listing down with it."""
    href = (href or "").strip()
    if not href:
        return None
    try:
        return urljoin(base, href)  # (which reads both: a href it cannot read raises)
    except ValueError:
        return None


def decoded_path(url: str) -> str:
    """The URL's path, percent-decoded: what families' article and listing
    patterns (crawler.families.spec.Family) are matched against."""
    return unquote(urlsplit(url).path)


def without_amp(path: str) -> str:
    """The path of the page an AMP copy at `path` copies; any other path as it is."""
    return _AMP.sub("", path) or "/"


def with_path(url: str, path: str) -> str:
    """`url` on another (decoded) path, its query and fragment dropped: the
    URL an article found under another form of its address is asked under."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, quote(path, safe="/-._~!$&'()*+,;=:@"), "", ""))


def readable_url(url: str) -> bool:
    """Whether urllib reads the URL whole, its port included: Scrapy's
    Request raises on one it cannot ("http://x:abc/"), and a spider callback
    that makes it loses the rest of its page's links."""
    try:
        urlsplit(url).port
    except ValueError:
        return False
    return True
