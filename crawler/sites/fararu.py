"""Fararu: IranSamaneh in the notes, but later code finds Asam markup
(#echo_detail, sections /بخش-<name>-<id>). Both layouts are accepted: Asam's
URL shapes, feeds and sitemap beside IranSamaneh's, and Asam's selectors as
the site's own, IranSamaneh's family selectors behind them."""

from dataclasses import replace

from crawler.families.asam import ASAM
from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site

SITE = Site(
    name="fararu",
    domain="fararu.com",
    family=replace(
        IRANSAMANEH,
        article_paths=(*IRANSAMANEH.article_paths, *ASAM.article_paths),
        url_shapes=(*IRANSAMANEH.url_shapes, *(s for s in ASAM.url_shapes if s not in IRANSAMANEH.url_shapes)),
        listing_paths=(*IRANSAMANEH.listing_paths, *ASAM.listing_paths),
        feeds=(*IRANSAMANEH.feeds, *ASAM.feeds),
        sitemaps=(*IRANSAMANEH.sitemaps, "/sitemap.xml"),
    ),
    base_url="https://fararu.com",
    names=("فرارو", "Fararu"),
    overrides=replace(
        ASAM.spec,
        article=(".col-main-news", *ASAM.spec.article),
        lead=(".content-lead-news", *ASAM.spec.lead),
    ),
)
