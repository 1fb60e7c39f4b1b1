"""crawler.extract.html: an element's text, paragraph by paragraph."""

from crawler.extract.html import paragraphs, parse_html, text_of


def test_text_after_a_comment_is_text():
    """A comment (CMSs leave them inside paragraphs: `<!-- wp:... -->`, an
    editor's note) is not shown, and neither cuts nor drops the text after it."""
    root = parse_html(
        "<div><p>بند اول<!-- یادداشت --> ادامه بند<?php echo 1 ?> و پایان</p><!-- جدا --><p>بند دوم</p></div>", "https://x.ir/"
    ).root
    [div] = root.iter("div")
    assert paragraphs(div) == ["بند اول ادامه بند و پایان", "بند دوم"]
    assert text_of(div.find("p")) == "بند اول ادامه بند و پایان"
