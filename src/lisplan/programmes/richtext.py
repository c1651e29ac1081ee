"""Rich text in programme plans: a small set of HTML tags kept, everything else removed (nh3,
the Rust `ammonia` sanitiser). Plain text (no tags) becomes paragraphs, so a textarea works."""

from __future__ import annotations

import html
import re

import nh3

TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "h3", "h4", "a", "blockquote"}
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
_HTML = re.compile(
    r"<\s*/?\s*(?:p|br|ul|ol|li|strong|em|b|i|h3|h4|a|blockquote|div|span|script|"
    r"style|img|iframe)\b",
    re.I,
)


def sanitise(text: str) -> str:
    """Safe HTML for a stored rich-text field (idempotent)."""
    text = (text or "").replace("\x00", "").strip()
    if not text:
        return ""
    if not _HTML.search(text):  # plain text (a «<» alone does not make HTML)
        paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
        text = "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return nh3.clean(
        text,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()


def to_editable(text: str) -> str:
    """Stored HTML as the textarea shows it: paragraphs and line breaks only → plain text with
    blank lines (what `sanitise` turns back into the same HTML); anything richer as HTML."""
    text = text or ""
    if not re.fullmatch(r"(?:<p>(?:(?!</?p>).)*</p>)*", text, flags=re.S):
        return text
    if re.search(r"<(?!/?p>|br>)[a-z/]", text):
        return text
    paragraphs = re.findall(r"<p>(.*?)</p>", text, flags=re.S)
    return "\n\n".join(html.unescape(p.replace("<br>", "\n")) for p in paragraphs)


def plain(text: str) -> str:
    """The text without tags (for search, audit and short previews)."""
    return html.unescape(nh3.clean(text or "", tags=set())).strip()
