"""Fixtures for the files tests: documents made on the spot, people, a restricted
forum, an account, and an ``upload`` helper speaking the editor's JSON."""

import io

import pytest

from portal.accounts import service as accounts_service
from portal.extensions import db
from tests.forums.factories import make_forum, make_thread

CHINESE = "客户关系管理与知识管理的融合"


def png(size=(640, 480), color=(200, 40, 40), **save) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG", **save)
    return out.getvalue()


def jpeg_with_exif(size=(400, 300)) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0131] = "secret-software 1.0"  # Software
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"GPS: 31.2N 121.5E")
    return out.getvalue()


def pdf(text=f"Contract renewal terms {CHINESE}", password=None) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    options = {}
    if password:
        from reportlab.lib import pdfencrypt

        options["encrypt"] = pdfencrypt.StandardEncryption(password, canPrint=0)
    c = canvas.Canvas(out, **options)
    c.setFont("STSong-Light", 14)
    c.drawString(72, 720, text)
    c.save()
    return out.getvalue()


def docx(text=f"Meeting notes: {CHINESE}") -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "预算"
    table.rows[0].cells[1].text = "budget 2027"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx(text=f"Price list {CHINESE}") -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "报价"
    sheet.append([text, 42])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pptx(text=f"Quarterly review {CHINESE}") -> bytes:
    import pptx as python_pptx

    deck = python_pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "QBR"
    slide.placeholders[1].text = text
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


@pytest.fixture
def author(make):
    return make.user("asa", display_name="Asa Author")


@pytest.fixture
def reader(make):
    return make.user("rita", display_name="Rita Reader")


@pytest.fixture
def moderator(make):
    return make.user("mona", role="moderator", display_name="Mona Moderator")


@pytest.fixture
def hr_dept(make):
    return make.department("Human Resources")


@pytest.fixture
def insider(make, hr_dept):
    return make.user("ines", display_name="Ines Insider", department=hr_dept)


@pytest.fixture
def outsider(make):
    return make.user("otto", display_name="Otto Outsider", department=make.department())


@pytest.fixture
def account(app):
    acme = accounts_service.create_account("ACME 钢铁", "CRM-1")
    db.session.commit()
    return acme


@pytest.fixture
def forum(app):
    return make_forum("Key Account Stories", slug="stories")


@pytest.fixture
def thread(forum, author, account):
    return make_thread(
        forum, author, "ACME renewal", "What we know.", accounts=[account]
    )


@pytest.fixture
def secret_thread(app, hr_dept, insider, account):
    hr_forum = make_forum("人力资源内部", slug="hr-internal", department=hr_dept)
    return make_thread(
        hr_forum, insider, "Salary review", "Confidential.", accounts=[account]
    )


@pytest.fixture
def upload(login):
    """``upload(user, name, data, attach_to="draft")`` posts like the editor does."""

    def _upload(user, name, data, attach_to="draft", client=None):
        client = client or login(user)
        return client.post(
            "/files/upload",
            data={"file": (io.BytesIO(data), name), "attach_to": attach_to},
            headers={"Accept": "application/json"},
            content_type="multipart/form-data",
        )

    return _upload


@pytest.fixture
def api(app):
    """``api(user)``: a client sending a new bearer token of ``user``."""
    from portal.api import service as api_service
    from tests.api.conftest import ApiClient

    def _api(user):
        _token, secret = api_service.create_token(user, "tests")
        db.session.commit()
        return ApiClient(app.test_client(), secret)

    return _api
