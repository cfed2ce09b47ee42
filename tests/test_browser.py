"""A clerk's session in a real browser: Debian's chromium driven by Playwright.

Screenshots of the review page and of the published issue are saved under
test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from records.loading import load_gazette_file
from records.management.commands.ensure_clerk import ensure_clerk_group
from records.models import Gazette, GazetteStatus
from tests.conftest import ROOT, SAMPLES, needs_chromium

ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium]


@pytest.fixture
def browser_page(chromium):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(30_000)
    return page


def test_clerk_uploads_reviews_and_publishes_in_a_browser(live_server, browser_page):
    user = get_user_model().objects.create_user("clerk", password="browser-clerk-password", is_staff=True)
    user.groups.add(ensure_clerk_group())
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser_page

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "browser-clerk-password")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/records/gazette/upload/")
    page.set_input_files("#id_file", str(SAMPLES / "yingkou-congress-2021-03.txt"))
    page.click("input[type=submit]")
    page.wait_for_selector("#change-counts")
    assert "营口市第十六届人民代表大会常务委员会第三十四次会议纪要" in page.content()
    page.screenshot(path=str(ARTIFACTS / "import-review.png"), full_page=False)

    page.click("text=载入（作为草稿）")
    page.wait_for_selector("#gazette-status")
    assert page.inner_text("#gazette-status") == "待审核"
    page.screenshot(path=str(ARTIFACTS / "gazette-review.png"), full_page=False)

    page.click("input[value=发布]")
    page.wait_for_selector("text=查看公众页面")
    gazette = Gazette.objects.get()
    assert gazette.status == GazetteStatus.PUBLISHED

    page.goto(f"{live_server.url}{gazette.get_absolute_url()}")
    assert "关于我市义务教育工作情况的报告" in page.content()
    page.screenshot(path=str(ARTIFACTS / "published-issue.png"), full_page=True)
    for name in ("import-review.png", "gazette-review.png", "published-issue.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000


def test_source_text_lines_show_number_beside_text_and_keep_spaces(live_server, browser_page):
    name = "anyang-congress-2021-03.txt"
    lines = (SAMPLES / name).read_text(encoding="utf-8").splitlines()
    number = next(
        n for n, line in enumerate(lines, start=1) if line.startswith(" ") and line.strip()
    )
    load_gazette_file((SAMPLES / name).read_bytes(), filename=name, publish=True)
    gazette = Gazette.objects.get()

    page = browser_page
    page.goto(f"{live_server.url}/gazettes/{gazette.pk}/text/#L{number}")
    layout = page.evaluate(
        """() => {
        const item = document.querySelector("li:target");
        const link = item.querySelector("a");
        const range = document.createRange();
        range.selectNodeContents(item.lastChild);
        const text = range.getBoundingClientRect(), box = link.getBoundingClientRect();
        return {id: item.id, number: link.textContent, href: link.getAttribute("href"),
                shown: item.innerText, linkRight: box.right, textLeft: text.left,
                linkTop: box.top, textTop: text.top, background: getComputedStyle(item).backgroundColor};
        }"""
    )
    assert layout["id"] == f"L{number}" and layout["number"] == str(number)
    assert layout["href"] == f"#L{number}"
    assert layout["shown"] == f"{number}\n{lines[number - 1]}"  # the text's leading space shown
    assert layout["textLeft"] > layout["linkRight"]  # the number in its own column
    assert abs(layout["textTop"] - layout["linkTop"]) < 12  # on the same row
    assert layout["background"] != "rgba(0, 0, 0, 0)"  # the cited line is highlighted
