"""Links as pages write them, made absolute: the one place a page's href
becomes a URL, so a malformed one is skipped rather than raised."""

from __future__ import annotations

from urllib.parse import urljoin


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
