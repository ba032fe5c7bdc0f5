"""The paper letter as a PDF (reportlab), rendered from the same ``LetterContent`` as the
digital message (MC-05). A protected person's letter carries no address at all (CH-10):
it is marked for the protected-address route instead."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from dispatchcore.content import LetterContent

PROTECTED_ROUTE = "SKYDDAD ADRESS – förmedlas via Skatteverket (skyddad folkbokföring/sekretessmarkering)"


def render_pdf(content: LetterContent, recipient: str, address_lines: list[str], protected: bool) -> bytes:
    """``address_lines`` empty means the print-and-distribution service finds the address
    (PU was unreachable) or, with ``protected``, the protected-address route."""
    styles = getSampleStyleSheet()
    story = []
    if protected:
        block = [PROTECTED_ROUTE]
    else:
        block = [recipient] + (address_lines or ["Adress hämtas av distributören ur folkbokföringen"])
    story.append(Paragraph("<br/>".join(escape(line) for line in block), styles["Normal"]))
    story.append(Spacer(1, 14 * mm))
    story.append(Paragraph(escape(content.title), styles["Title"]))
    story.append(Paragraph(escape(content.lead), styles["Normal"]))
    story.append(Spacer(1, 5 * mm))
    rows = [
        [Paragraph(f"<b>{escape(term)}</b>", styles["Normal"]), Paragraph(escape(text), styles["Normal"])]
        for term, text in content.facts
    ]
    story.append(Table(rows, colWidths=[40 * mm, 120 * mm], hAlign="LEFT"))
    if content.preparations:
        story.append(Spacer(1, 5 * mm))
        story.append(Paragraph("Förberedelser", styles["Heading3"]))
        story.append(Paragraph(escape(content.preparations), styles["Normal"]))
    for label, url in (("Hitta hit", content.directions_url), ("Formulär före besöket", content.form_url)):
        if url:
            story.append(Paragraph(f"{escape(label)}: {escape(url)}", styles["Normal"]))
    story.append(Spacer(1, 8 * mm))
    story.append(Paragraph(escape(content.signature), styles["Normal"]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=content.title,
        author="Kallelse Testbed dispatch core",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        invariant=1,
    )
    doc.build(story)
    return buffer.getvalue()
