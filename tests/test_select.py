"""crawler.extract.layers.select, the compiled selectors every spec runs, answers
as parsel's own `css` and `xpath` do."""

import pytest
from parsel import Selector

from crawler.extract.layers import select

PAGE = """<html><head><title>عنوان | سایت</title><meta property="og:type" content="article"></head><body>
<div class="news-box main"><h1 class="title">تیتر <b>اصلی</b></h1><p>بند یک</p><p>بند <a href="/x">دو</a></p>
<img src="/a.jpg"><figure><img data-src="/b.jpg"><figcaption>زیرنویس</figcaption></figure></div>
<div class="news-box"><p>دیگری</p></div><span id="code">۱۲۳</span></body></html>"""

SELECTORS = [
    ".news-box", ".news-box p", "h1.title", "h1.title::text", "h1.title *::text", "img::attr(src)",
    "img::attr(data-src), img::attr(src)", "meta[property='og:type']::attr(content)", "#code::text", "aside",
    "xpath://p//text()", "xpath://a/@href", "xpath:count(//p)", "xpath://title/text()",
    "xpath:normalize-space(//h1)", "xpath://div[contains(@class, 'news-box')][1]/p",
]


@pytest.mark.parametrize("selector", SELECTORS)
def test_select_answers_as_parsel(selector):
    sel = Selector(text=PAGE)
    ours = select(sel, selector)
    theirs = sel.xpath(selector[6:]) if selector.startswith("xpath:") else sel.css(selector)
    assert ours.getall() == theirs.getall()


def test_select_within_a_list_of_scopes_and_chained():
    sel = Selector(text=PAGE)
    boxes = select(sel, ".news-box")
    assert select(boxes, "p::text").getall() == boxes.css("p::text").getall() == ["بند یک", "بند ", "دیگری"]
    [first] = select(boxes[:1], "xpath:.//figcaption")
    assert select(first, "::text").get() == "زیرنویس"
    first.drop()  # what the body's drop selectors do
    assert "زیرنویس" not in sel.get()
