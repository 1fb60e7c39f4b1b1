"""Khabar Online (khabaronline.ir): dates `DD <month> YYYY - HH:MM`; the
breadcrumb stands in `section.page-header`, outside the article."""

from crawler.families.nastooh import NASTOOH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="khabaronline",
    domain="khabaronline.ir",
    family=NASTOOH,
    base_url="https://www.khabaronline.ir",
    names=("خبرآنلاین", "خبر آنلاین"),
    feeds=("/rss", "/rss/tp/2"),
    overrides=Spec(section=("xpath://section[contains(@class, 'page-header')]//ol[contains(@class, 'breadcrumb')]//a",)),
)
