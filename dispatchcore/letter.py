"""The paper letter as a PDF, rendered from the same ``LetterContent`` as the digital
message (MC-05). A protected person's letter carries no address at all (CH-10): it is
marked for the protected-address route instead.

A campaign sends thousands of letters, so the letter is a *prepared template*: the PDF's
fixed parts (catalog, page tree, the two standard fonts, the cross-reference layout) are
built once at import; per letter only the page's content stream is composed (the text
lines, laid out with reportlab's font metrics for word wrapping) and compressed. About
0.3 ms a letter instead of the ~23 ms of a reportlab platypus story (docs/loadtests.md).
The stream is ``/Filter /FlateDecode`` (binary, its exact ``/Length``) with ``(text) Tj``
operators; reportlab adds an ``/ASCII85Decode`` armour on top, which only made the letter
a quarter larger and cost a fifth of its CPU (pure-Python base64.a85encode)."""

from __future__ import annotations

import functools
import zlib

from reportlab.pdfbase.pdfmetrics import stringWidth

from dispatchcore.content import LetterContent

PROTECTED_ROUTE = "SKYDDAD ADRESS – förmedlas via Skatteverket (skyddad folkbokföring/sekretessmarkering)"

MM = 72 / 25.4
PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 in points
LEFT = 20 * MM
RIGHT = PAGE_W - 20 * MM
TOP = PAGE_H - 20 * MM
TERM_W = 40 * MM  # the facts table: term column, then text
FONTS = {"F1": "Helvetica", "F2": "Helvetica-Bold"}
# (font, size, leading) per paragraph style, as reportlab's sample sheet has them
NORMAL = ("F1", 10.0, 12.0)
BOLD = ("F2", 10.0, 12.0)
TITLE = ("F2", 18.0, 22.0)
HEADING = ("F2", 12.0, 14.4)


def _literal(text: str) -> bytes:
    """A PDF string literal in WinAnsi (cp1252: å ä ö é – all present)."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


@functools.lru_cache(maxsize=4096)
def _wrap(text: str, style: tuple[str, float, float], width: float) -> tuple[str, ...]:
    """``text`` broken into lines that fit ``width``. Kept per (text, style, width): a
    campaign's letters repeat the same lead, facts, preparations and signature, and
    measuring their words was a third of a letter's CPU."""
    font, size = FONTS[style[0]], style[1]
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and stringWidth(candidate, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line or not lines:
        lines.append(line)
    return tuple(lines)


@functools.lru_cache(maxsize=4096)
def _show(font: str, size: float, x: float, y: float, line: str) -> bytes:
    """The operators that draw one line. Kept: most lines of a campaign's letters (the
    same paragraphs at the same place) are the same bytes in every letter."""
    return b"BT /%s %.1f Tf %.2f %.2f Td %s Tj ET" % (font.encode(), size, x, y, _literal(line))


class _Page:
    """The content stream of one page, written top down."""

    def __init__(self) -> None:
        self.y = TOP
        self.ops: list[bytes] = []

    def text(self, text: str, style: tuple[str, float, float], x: float = LEFT, width: float = RIGHT - LEFT) -> float:
        """Wrapped text at ``x``; returns the height used (the cursor is not moved)."""
        font, size, leading = style
        y = self.y
        for line in _wrap(text, style, width):
            y -= leading
            self.ops.append(_show(font, size, x, y, line))
        return self.y - y

    def paragraph(self, text: str, style: tuple[str, float, float] = NORMAL, after: float = 0.0) -> None:
        self.y -= self.text(text, style) + after

    def space(self, height: float) -> None:
        self.y -= height


def _document(content_stream: bytes, title: str) -> bytes:
    """The prepared skeleton around one page's content stream."""
    data = zlib.compress(content_stream, 6)
    info_title = _literal(title)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> "
        b"/Contents 4 0 R >>" % (PAGE_W, PAGE_H),
        b"<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (len(data), data),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title %s /Author (Kallelse Testbed dispatch core) /Producer (Kallelse Testbed) >>" % info_title,
    ]
    out = [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"]
    offsets = []
    position = len(out[0])
    for number, body in enumerate(objects, start=1):
        chunk = b"%d 0 obj\n%s\nendobj\n" % (number, body)
        offsets.append(position)
        out.append(chunk)
        position += len(chunk)
    xref = [b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)]
    xref += [b"%010d 00000 n \n" % offset for offset in offsets]
    out += xref
    out.append(
        b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, position)
    )
    return b"".join(out)


def render_pdf(content: LetterContent, recipient: str, address_lines: list[str], protected: bool) -> bytes:
    """``address_lines`` empty means the print-and-distribution service finds the address
    (PU was unreachable) or, with ``protected``, the protected-address route."""
    page = _Page()
    if protected:
        block = [PROTECTED_ROUTE]
    else:
        block = [recipient] + (address_lines or ["Adress hämtas av distributören ur folkbokföringen"])
    for line in block:
        page.paragraph(line)
    page.space(14 * MM)
    page.paragraph(content.title, TITLE, after=6)
    page.paragraph(content.lead)
    page.space(5 * MM)
    for term, text in content.facts:
        used = max(
            page.text(term, BOLD, LEFT + 6, TERM_W - 12), page.text(text, NORMAL, LEFT + TERM_W + 6, 120 * MM - 12)
        )
        page.space(used + 4)
    if content.preparations:
        page.space(5 * MM)
        page.paragraph("Förberedelser", HEADING, after=4)
        page.paragraph(content.preparations)
    for label, url in (("Hitta hit", content.directions_url), ("Formulär före besöket", content.form_url)):
        if url:
            page.paragraph(f"{label}: {url}")
    page.space(8 * MM)
    page.paragraph(content.signature)
    return _document(b"\n".join(page.ops), content.title)
