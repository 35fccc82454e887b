"""Screenshots of the demo for the README (docs/*.png), taken in Debian's Chromium through Selenium.

    make demo && .venv/bin/python scripts/screenshots.py

The coverage page of the hub at desktop and phone widths and printed (the PDF's first page, rendered by pypdfium2),
Colombia's one-page profile as a PDF, the harvest health page (signed in), the citizens' request form on a phone,
the portal's home page, page 1 of the dataset form and the review queue of the priority datasets the portal detected
in its datasets from before the plugin (signed in as the demo's admin)."""
from __future__ import annotations

import argparse
import base64
import os
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from selenium.webdriver.common.print_page_options import PrintOptions  # noqa: E402

from tests.browser.conftest import DESKTOP, PHONE, Browser  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", default="http://127.0.0.1:5002")
    parser.add_argument("--portal", default="http://127.0.0.1:5000")
    parser.add_argument("--password", default=os.environ.get("PIDA_DEMO_PASSWORD", "pida-demo-2026"))
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    hub = Browser(args.hub)
    try:
        hub.resize(*DESKTOP)
        hub.get("/es/pida/coverage?country=CO")  # Colombia's headline first (remembered by the picker)
        hub.screenshot(os.path.join(args.out, "coverage-desktop.png"))
        hub.resize(*PHONE)
        hub.get("/es/pida/coverage")
        hub.screenshot(os.path.join(args.out, "coverage-phone.png"))
        hub.resize(PHONE[0], 1250)
        hub.get("/es/pida/requests/new?country=CO&concept=interest-declarations")
        hub.screenshot(os.path.join(args.out, "request-form.png"), full_page=False)
        hub.resize(*DESKTOP)
        hub.get("/es/pida/coverage")
        options = PrintOptions()
        options.background = True
        pdf_page_png(base64.b64decode(hub.driver.print_page(options)), os.path.join(args.out, "coverage-print.png"))
        with urllib.request.urlopen(args.hub + "/es/pida/coverage/CO/profile.pdf", timeout=60) as answer:
            pdf_page_png(answer.read(), os.path.join(args.out, "profile-pdf.png"))
        hub.login("admin", args.password)
        hub.get("/es/pida/hub/health")
        hub.screenshot(os.path.join(args.out, "health.png"))
    finally:
        hub.quit()

    portal = Browser(args.portal)
    try:
        portal.resize(*DESKTOP)
        portal.get("/es/")
        portal.screenshot(os.path.join(args.out, "portal-home.png"), full_page=False)
        portal.login("admin", args.password)
        portal.get("/es/dataset/new")
        portal.screenshot(os.path.join(args.out, "form.png"))
        portal.get("/es/pida/review")
        portal.screenshot(os.path.join(args.out, "portal-review.png"))
    finally:
        portal.quit()
    print("screenshots in", os.path.abspath(args.out))


def pdf_page_png(pdf: bytes, path: str, scale: float = 1.1) -> None:
    """The first page of a PDF as a PNG (pypdfium2: PDFium, no system tool needed)."""
    import pypdfium2
    document = pypdfium2.PdfDocument(pdf)
    document[0].render(scale=scale).to_pil().save(path)


if __name__ == "__main__":
    main()
