"""EDGAR's rules for an HTML document, as data, and a filter that enforces them.

From the EDGAR Filer Manual, Volume II, section 5.2.2 ("HTML documents") and
the SEC's "HTML Specifications for EDGAR": EDGAR accepts a subset of HTML 3.2
(with some HTML 4.0 attributes); no active content (scripts, applets, objects,
event handlers); no external references, except <a href> links to filings
under https://www.sec.gov/Archives/edgar/data/; links inside the submission
must resolve; no nested tables; text in ASCII (section 5.2.1, table 5-1),
other characters as character references. We allow a stricter subset than
EDGAR does: no images (we attach no graphics), no style sheets.

`to_edgar_html` rewrites an HTML fragment (Markdown's output) into that
subset and says what it had to leave out.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from generator.publish.escape import ascii_references

# HTML 3.2 body tags EDGAR accepts (EFM 5.2.2), without img, the obsolete
# listing/plaintext/xmp and the presentational font/center/dir/menu/strike.
BODY_TAGS = frozenset({
    "a", "address", "b", "big", "blockquote", "br", "caption", "cite", "code", "dd", "dfn", "div",
    "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre",
    "samp", "small", "strong", "sub", "sup", "table", "td", "th", "tr", "tt", "u", "ul", "var",
})
DOCUMENT_TAGS = frozenset({"html", "head", "title", "body"})
ALLOWED_TAGS = BODY_TAGS | DOCUMENT_TAGS
VOID_TAGS = frozenset({"br", "hr"})
# Attributes by tag ("*": any tag); a subset of EDGAR's list: no style, no event handlers.
ALLOWED_ATTRIBUTES = {
    "*": frozenset({"id", "title", "lang", "dir"}),
    "a": frozenset({"href", "name"}),
    "p": frozenset({"align"}), "div": frozenset({"align"}), "caption": frozenset({"align"}),
    "h1": frozenset({"align"}), "h2": frozenset({"align"}), "h3": frozenset({"align"}),
    "h4": frozenset({"align"}), "h5": frozenset({"align"}), "h6": frozenset({"align"}),
    "hr": frozenset({"align", "noshade", "size", "width"}),
    "table": frozenset({"align", "border", "cellpadding", "cellspacing", "width"}),
    "tr": frozenset({"align", "valign"}),
    "td": frozenset({"align", "valign", "colspan", "rowspan", "nowrap", "width"}),
    "th": frozenset({"align", "valign", "colspan", "rowspan", "nowrap", "width"}),
    "ol": frozenset({"start", "type", "compact"}), "ul": frozenset({"type", "compact"}),
    "li": frozenset({"type"}), "dl": frozenset({"compact"}), "br": frozenset({"clear"}),
}
# The one place outside the submission a link may point to (EFM 5.2.2).
SEC_ARCHIVES = re.compile(r"https?://www\.sec\.gov/Archives/edgar/data/", re.IGNORECASE)
# Table 5-1: printable ASCII, tab, line feed, carriage return, form feed.
ALLOWED_CHARACTERS = re.compile(r"[\x20-\x7e\t\n\r\f]*")
# Wrappers that HTML 3.2 lacks but whose content is fine: left out quietly.
_UNWRAP_QUIETLY = frozenset({"thead", "tbody", "tfoot", "span"})
# Left out together with everything inside them.
_DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "applet", "form",
                                "noscript", "template", "svg", "math", "frameset", "frame"})


@dataclass
class Converted:
    html: str
    left_out: list[str] = field(default_factory=list)  # e.g. "<img>", "onclick on <p>"


def to_edgar_html(fragment: str, links: dict[str, str]) -> Converted:
    """HTML -> EDGAR's subset in ASCII; `links` maps a site page (policy.md) to an anchor.

    A link to a page with an anchor becomes #anchor; a link to any other place
    outside the document becomes its text, followed by the address in
    parentheses when the text does not already show it.
    """
    parser = _Filter(links)
    parser.feed(fragment)
    parser.close()
    return Converted("".join(parser.out), parser.left_out)


def link_target(href: str, links: dict[str, str]) -> str | None:
    """Where a link may point in the exhibit, or None for "outside: show as text"."""
    if href.startswith("#") or SEC_ARCHIVES.match(href):
        return href
    page = href.split("#", 1)[0]
    if "://" not in page and not page.startswith("mailto:") and page in links:
        return "#" + links[page]
    return None


class _Filter(HTMLParser):
    def __init__(self, links: dict[str, str]):
        super().__init__(convert_charrefs=True)
        self.links = links
        self.out: list[str] = []
        self.left_out: list[str] = []
        self.hidden = 0          # depth inside a tag dropped with its content
        self.anchors: list[tuple[bool, str, int]] = []  # (kept, address to show, start in out)

    def handle_starttag(self, tag, attrs):
        if tag in _DROP_WITH_CONTENT:
            self.hidden += 1
            self.left_out.append(f"<{tag}>")
            return
        if self.hidden:
            return
        if tag == "a":
            return self._start_link(dict(attrs))
        if tag not in ALLOWED_TAGS:
            if tag not in _UNWRAP_QUIETLY:
                self.left_out.append(f"<{tag}>")
            else:
                self._tag(tag, attrs)  # reports event handlers
            return
        self.out.append(self._tag(tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and tag not in _DROP_WITH_CONTENT:
            self.handle_endtag(tag)
        elif tag in _DROP_WITH_CONTENT:
            self.hidden -= 1

    def handle_endtag(self, tag):
        if tag in _DROP_WITH_CONTENT:
            self.hidden = max(0, self.hidden - 1)
            return
        if self.hidden:
            return
        if tag == "a":
            return self._end_link()
        if tag in ALLOWED_TAGS and tag not in VOID_TAGS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.hidden:
            self.out.append(ascii_references(html.escape(data, quote=False)))

    def _tag(self, tag: str, attrs) -> str:
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, frozenset())
        kept = []
        for name, value in attrs:
            if name in allowed:
                kept.append(name if value is None else f'{name}="{ascii_references(html.escape(value))}"')
            elif name.startswith("on"):
                self.left_out.append(f"{name} on <{tag}>")
        return "<" + " ".join([tag, *kept]) + ">"

    def _start_link(self, attrs: dict) -> None:
        href = (attrs.get("href") or "").strip()
        target = link_target(href, self.links) if href else None
        keep = target is not None or bool(attrs.get("name"))
        shown = href.removeprefix("mailto:") if re.match(r"(https?|mailto):", href, re.I) else ""
        self.anchors.append((keep, "" if target else shown, len(self.out)))
        if keep:
            kept = [("href", target)] if target else []
            kept += [("name", attrs["name"])] if attrs.get("name") else []
            self.out.append(self._tag("a", kept))

    def _end_link(self) -> None:
        if not self.anchors:
            return
        keep, shown, start = self.anchors.pop()
        if keep:
            self.out.append("</a>")
        text = html.unescape("".join(self.out[start:]))
        if shown and _bare(shown) not in _bare(text):
            self.out.append(f" ({ascii_references(html.escape(shown))})")


def _bare(address: str) -> str:
    return re.sub(r"^[a-z]+://", "", address.strip().casefold()).rstrip("/")
