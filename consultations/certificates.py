"""Certificates: the signed verification token and the PDF.

The verification URL carries the certificate number signed with the project's SECRET_KEY
(`django.core.signing`), so editing the URL (another number, another name) never verifies.
"""

from __future__ import annotations

import io

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.qrcodes import qr_png

SALT = "consultations.certificate"


def certificate_token(number: str) -> str:
    return signing.dumps({"n": number}, salt=SALT, compress=False)


def certificate_number_from_token(token: str) -> str | None:
    """The certificate number a token was signed for, or None when it was tampered with."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    number = data.get("n") if isinstance(data, dict) else None
    return number if isinstance(number, str) else None


def mask_name(name: str) -> str:
    """张三丰 -> 张*丰, 李四 -> 李*, Jane Smith -> J*** S****: enough to recognise, not to copy."""
    name = (name or "").strip()
    if not name:
        return ""
    if " " in name:
        return " ".join(part[:1] + "*" * (len(part) - 1) for part in name.split())
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def certificate_pdf(*, certificate, verify_url: str) -> bytes:
    """A one-page A4 landscape PDF with the holder, the event, the date and a QR code of the
    verification URL. Chinese text uses reportlab's built-in CID font STSong-Light."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    registration = certificate.registration
    event = registration.event
    buf = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buf, pagesize=(width, height))
    pdf.setTitle(f"{_('Certificate')} {certificate.number}")
    pdf.setLineWidth(3)
    pdf.rect(30, 30, width - 60, height - 60)
    pdf.setFont(font, 34)
    pdf.drawCentredString(width / 2, height - 120, _("Certificate of completion"))
    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, height - 170, _("This certifies that"))
    pdf.setFont(font, 28)
    pdf.drawCentredString(width / 2, height - 215, certificate.holder_name)
    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, height - 260, _("took part in"))
    pdf.setFont(font, 22)
    pdf.drawCentredString(width / 2, height - 300, event.title[:60])
    pdf.setFont(font, 14)
    day = timezone.localtime(event.starts_at).date().isoformat()
    pdf.drawCentredString(width / 2, height - 335, day)
    pdf.drawString(60, 80, _("Haishu District Social Organization Service Center"))
    pdf.drawString(60, 60, f"{_('Certificate number')}: {certificate.number}")
    pdf.setFont(font, 9)
    pdf.drawString(60, 44, verify_url[:150])
    pdf.drawImage(ImageReader(io.BytesIO(qr_png(verify_url, scale=4))), width - 170, 50, 110, 110)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
