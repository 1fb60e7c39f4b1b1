"""The article's text on a page no selector knows: text density over blocks.

One walk of the page cuts its text into blocks where a paragraph would break
(block elements and <br>, as html.paragraphs does), so that text split by
<br> inside one <div> is as many blocks as a row of <p>s. A block is prose
when it is long enough and at most half of it is link text; menus,
related-news lists and tag clouds are not. Each element is weighed by the
unlinked prose in it; boilerplate (DROP: boilerplate.DROP_SELECTORS, the
page's header and footer, figures, captions, galleries) and what it holds
count for nothing around it, as html.paragraphs leaves them out of the text.

The body is found in two steps. First the element with the most prose near
it: its own text, its children's and half its grandchildren's, as
Readability scores, which finds the container of the paragraphs or the
<div> of <br>-separated text, and not a teaser or a comment (inside
boilerplate). Then up from there over parents that add no prose, and over
parents whose prose is mostly in children of its kind: an article split into
sibling blocks of one class is taken whole, a column that adds prose of its
own is not. Its text is html.paragraphs', without the blocks inside it that
are mostly links.

Pure and linear in the page: an lxml tree in, paragraphs out. Each element
is visited twice on the walk and a few times after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from crawler.extract.boilerplate import DROP_SELECTORS
from crawler.extract.html import BLOCK_TAGS, SKIP_TAGS, paragraphs
from crawler.extract.junk import drop_tree, junk

# Text-level elements, which the walk gives no frame of their own (not <span>
# or <font>: ASP.NET sites hold the article in a <span id="...lblNewsBody">).
INLINE_TAGS = frozenset(
    "a abbr b bdi bdo big cite code em i img kbd label mark nobr q s samp small source strike "
    "strong sub sup time tt u var wbr".split()
)
# A block shorter than this is a label, date or button, not prose.
MIN_PROSE_CHARS = 40
# A block or element with more than this share of its characters in links is navigation.
MAX_LINK_DENSITY = 0.5
# What is dropped from a body no selector names: the boilerplate every body
# drops, and the parts of a page around an article, and its pictures' captions.
DROP = (
    *DROP_SELECTORS,
    "header, footer, [class*=footer], [id*=footer]",
    "figure, figcaption, [class*=caption], [class*=gallery], [class*=carousel]",
)
# The share of its parent's prose an element, or its kind, holds for the parent to be the article's.
HOLDS_MOST = 0.6
# Less prose than this is not an article.
MIN_BODY_CHARS = 200


@dataclass
class Block:
    """The chosen element and the prose characters it holds."""

    element: etree._Element
    weight: int
    link_dense: list[etree._Element]  # block elements inside it that are mostly links


class _Frame:
    """What the walk knows of one element and what it holds."""

    __slots__ = (
        "element", "parent", "first", "last", "weight", "raw", "chars", "links",
        "junk", "in_junk", "own", "kids", "near", "children",
    )

    def __init__(self, element: etree._Element, parent: _Frame | None, first: int, junk: bool):
        self.element = element
        self.parent = parent
        self.first = self.last = first  # walk indices of the element and of its last descendant
        self.weight = 0  # prose characters, those in boilerplate inside it left out
        self.raw = 0  # prose characters
        self.chars = self.links = 0  # all characters, and those in links
        self.junk = junk  # DROP drops it
        self.in_junk = self if junk else parent.in_junk if parent else None  # the innermost such around it
        self.own = 0  # prose characters of its own text, not its children's
        self.kids = 0  # those of its children's own text
        self.near = 0.0  # those, and half its grandchildren's
        self.children: list[_Frame] = []


def densest_block(root: etree._Element) -> Block | None:
    """The element that holds the article's prose, or None when none holds MIN_BODY_CHARS of it."""
    frames = _walk(root)
    if not frames:
        return None
    # Boilerplate that holds more than half the page's prose may wrap the
    # article (an ASP.NET page's <form>, a <body class="print-...">, an
    # "entry-content no-share"), or be a long comment thread: it is read as a
    # wrapper only when nothing outside boilerplate holds more than a
    # headline and a lead would (2 * MIN_BODY_CHARS).
    best = _choose(frames, set())
    if best is None or best.weight < 2 * MIN_BODY_CHARS:
        wrappers = _count_wrappers(frames, frames[-1].raw / 2)  # (the root ends last)
        best = (_choose(frames, wrappers) if wrappers else None) or best
    if best is None:
        return None
    inside = (f for f in frames if best.first < f.first and f.last <= best.last)
    dense = [f.element for f in inside if f.element.tag in BLOCK_TAGS and f.links > f.chars * MAX_LINK_DENSITY]
    return Block(best.element, best.weight, dense)


def _choose(frames: list[_Frame], wrappers: set[_Frame]) -> _Frame | None:
    """The element with the most prose near it, outside boilerplate other
    than `wrappers`, and up from it over the article's other blocks."""
    candidates = [f for f in frames if f.in_junk is None or f.in_junk in wrappers]
    best = max(candidates, key=lambda f: f.own + f.near, default=None)
    if best is None or not best.own + best.near:
        return None
    chosen = best
    while (parent := best.parent) is not None and not (parent.junk and parent not in wrappers):
        # Through elements that add no prose (a wrapper of one block) to the one that does.
        if parent.weight > best.weight and _kind(best, parent) < HOLDS_MOST * parent.weight:
            break
        best = parent
        if best.weight > chosen.weight:
            chosen = best
    return chosen if chosen.weight >= MIN_BODY_CHARS else None


def _kind(frame: _Frame, parent: _Frame) -> int:
    """The prose of the parent's children of the frame's kind (tag and class),
    boilerplate left out; 0 when the frame is the only one of its kind, or
    has no class to name one."""
    tag, cls = frame.element.tag, frame.element.get("class")
    if not cls:
        return 0
    same = [f.weight for f in parent.children if not f.junk and f.element.tag == tag and f.element.get("class") == cls]
    return sum(same) if len(same) > 1 else 0


def _walk(root: etree._Element) -> list[_Frame]:
    """Every element's frame, in the order the elements end (the root last)."""
    drop = junk(DROP).matches
    frames: list[_Frame] = []
    stack: list[_Frame] = []
    buf: list[str] = []
    buf_link = 0  # characters of buf inside <a>
    in_link = 0  # depth of open <a>s
    index = 0

    def flush() -> None:
        nonlocal buf_link
        text = " ".join("".join(buf).split())
        buf.clear()
        chars, links = len(text), min(buf_link, len(text))
        buf_link = 0
        if chars and stack:
            frame = stack[-1]
            frame.chars += chars
            frame.links += links
            if links <= chars * MAX_LINK_DENSITY and chars >= MIN_PROSE_CHARS:
                prose = chars - links
                frame.weight += prose
                frame.raw += prose
                frame.own += prose

    def add(text: str | None) -> None:
        nonlocal buf_link
        if text:
            buf.append(text)
            if in_link:
                buf_link += len(text.strip())

    # (Comments and processing instructions come as events of their own: only their tails are read.)
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        tag = node.tag
        if event == "start":
            if tag in SKIP_TAGS:
                walker.skip_subtree()  # neither counted nor read: its end comes next, and its tail
                continue
            if tag == "a":
                in_link += 1
            if tag in INLINE_TAGS:
                # No frame (no such element holds an article on its own: its
                # block does), which spares a third of the page's; boilerplate is not read.
                if drop(node):
                    walker.skip_subtree()
                else:
                    add(node.text)
                continue
            if buf and tag in BLOCK_TAGS:
                flush()
            index += 1
            stack.append(_Frame(node, stack[-1] if stack else None, index, drop(node)))
            add(node.text)
            continue
        if tag == "a":
            in_link -= 1
        if stack and stack[-1].element is node:
            if buf and (tag in BLOCK_TAGS or len(stack) == 1):
                flush()
            frame = stack.pop()
            frame.last = index
            frames.append(frame)
            if stack:
                parent = stack[-1]
                parent.chars += frame.chars
                parent.links += frame.links
                parent.raw += frame.raw
                parent.children.append(frame)
                # Boilerplate is left out of the text of any element around it
                # (html.paragraphs drops it): its prose does not count for them.
                if not frame.junk:
                    parent.weight += frame.weight
                    parent.kids += frame.own
                    parent.near += frame.own + frame.kids / 2
        if node is not root:
            add(node.tail)
    return frames


def _count_wrappers(frames: list[_Frame], half: float) -> set[_Frame]:
    """Boilerplate that holds more than half the page's prose is no widget but
    a wrapper: its prose counts for the elements around it after all. Such
    elements are nested in one another: one climb from the innermost gives it them."""
    wrappers = {f for f in frames if f.junk and f.raw > half}
    inner = next((f for f in frames if f in wrappers), None)  # the first to end
    if inner is None:
        return wrappers
    missing, frame = inner.weight, inner.parent  # what its parent was not given
    while frame is not None:
        frame.weight += missing
        if frame in wrappers:
            missing = frame.weight
        frame = frame.parent
    return wrappers


def body_paragraphs(root: etree._Element) -> list[str]:
    """The article's raw paragraphs (html.paragraphs of the densest block, its
    link-dense blocks and boilerplate left out), or [] when no block is dense enough."""
    block = densest_block(root)
    if block is None:
        return []
    for element in block.link_dense:
        drop_tree(element)
    return paragraphs(block.element, junk(DROP))
