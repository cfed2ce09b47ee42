"""The public portal in a real browser: Debian's chromium driven by Playwright.

A citizen's visit (navigation, filters, search), the same visit with the
keyboard only, and axe-core's accessibility audit of every kind of page on a
desktop and a phone screen. Screenshots and the audit go to
test-artifacts/portal/ for a person to look at.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from people.models import Person, Post
from records import search
from records.models import Article, Meeting
from tests.conftest import ROOT, needs_chromium
from tests.test_portal import load_samples

ARTIFACTS = ROOT / "test-artifacts" / "portal"
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_URL = "/static/vendor/axe-core/axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium]


@pytest.fixture
def portal(live_server):
    """The live server with the four sample gazettes published and indexed."""
    search.clear()  # a flushed database leaves this raw table alone
    load_samples()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield live_server.url
    search.clear()


def new_page(browser, viewport=DESKTOP):
    """A page that records console errors: a CSP violation of ours would show up there."""
    page = browser.new_page(viewport=viewport, locale="zh-CN")
    page.set_default_timeout(30_000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    return page


def test_a_citizen_browses_filters_and_searches(chromium, portal):
    page = new_page(chromium)
    page.goto(portal + "/")
    assert page.title().startswith("公报门户")

    # Navigation: an issue, its table of contents, an article with its anchors.
    page.click("text=营口市人民代表大会常务委员会公报 2024年第1期")
    page.wait_for_selector("#toc-heading")
    page.click("a:text-is('营口市促进民营经济发展条例')")
    page.wait_for_selector("#article-title")
    assert page.inner_text("#article-title") == "营口市促进民营经济发展条例"
    page.click(".provision-toc summary")
    page.click(".provision-toc a:text-is('第五条')")
    assert page.url.endswith("#" + quote("第五条")) or page.url.endswith("#第五条")
    assert page.is_visible("[id='第五条']")

    # Filters: elections only.
    page.click("nav.site-nav >> text=人事任免")
    page.select_option("#f-action", "elect")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/decisions/?*action=elect*")
    badges = page.locator("table.decisions tbody .badge").all_inner_texts()
    assert badges and set(badges) == {"选举"}

    # Meetings filtered by term, then a meeting with its vote chart.
    page.click("nav.site-nav >> text=会议")
    page.select_option("#f-term", "14")
    page.click("form.filters button[type=submit]")
    page.click("text=安阳市第14届人大常委会第25次会议")
    page.wait_for_selector("#votes-h")
    assert page.locator("svg.chart g:not(.legend) > rect.bar-yes").count() == 5

    # Search with Traditional input: the two-character name is found.
    page.fill("#site-q", "張玲")
    page.press("#site-q", "Enter")
    page.wait_for_selector(".hit")
    first = page.locator(".hit").first
    assert first.locator(".kicker").inner_text() == "人员"
    assert first.locator("mark").first.inner_text() == "张玲"
    first.locator("a.record-title").click()
    page.wait_for_selector("#attendance-h")
    assert page.inner_text("h1") == "张玲"
    page.screenshot(path=str(ARTIFACTS / "flow-person.png"), full_page=False)
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
    page.close()


def test_the_portal_works_with_the_keyboard_alone(chromium, portal):
    page = new_page(chromium)
    page.goto(portal + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # From the main content, tab to the big search box and search.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "home-q":
            break
    assert page.evaluate("document.activeElement.id") == "home-q"
    page.keyboard.type("市长")
    page.keyboard.press("Enter")
    page.wait_for_selector(".hit")

    # Tab to a facet link and follow it with Enter: only posts remain.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").startswith("职务（"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**type=post**")
    kinds = set(page.locator(".hit .kicker").all_inner_texts())
    assert kinds == {"职务"}

    # Filters by keyboard: choose an action and submit.
    page.goto(portal + "/decisions/")
    page.focus("#f-action")
    page.keyboard.press("ArrowDown")  # 任命
    page.focus("form.filters button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**action=appoint**")
    assert set(page.locator("table.decisions tbody .badge").all_inner_texts()) == {"任命"}
    page.close()


def _pages() -> dict[str, str]:
    zheng = Person.objects.get(region="营口市", name="郑孝刚")
    return {
        "home": "/",
        "gazettes": "/gazettes/",
        "gazette": Article.objects.get(title="营口市促进民营经济发展条例").gazette.get_absolute_url(),
        "article": Article.objects.get(title="营口市人民代表大会会议事规则").get_absolute_url(),
        "meetings": "/meetings/",
        "meeting": Meeting.objects.get(region="安阳市", term=14, number=25).get_absolute_url(),
        "decisions": "/decisions/",
        "people": "/people/",
        "person": f"/people/{zheng.pk}/",
        "post": f"/posts/{Post.objects.get(title='营口市人民政府副市长').pk}/",
        "search": "/search/?q=" + quote("民营经济"),
        "coverage": "/publications/",
        "report": "/report/?path=/people/&label=" + quote("郑孝刚"),
    }


def test_axe_finds_no_serious_violations_and_screenshots_are_saved(chromium, portal):
    pages = _pages()
    report: dict[str, list] = {}
    serious = []
    for device, viewport in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page = new_page(chromium, viewport)
        for name, url in pages.items():
            page.goto(portal + url)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{device}.png"), full_page=True)
            # From our own origin, so the page's Content-Security-Policy stays in force.
            page.add_script_tag(url=portal + AXE_URL)
            violations = page.evaluate(
                """async (tags) => {
                    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                    return result.violations.map(v => ({
                        id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => n.target.join(" ")),
                    }));
                }""",
                AXE_TAGS,
            )
            report[f"{name}-{device}"] = violations
            serious += [
                (name, device, v["id"], v["nodes"][:3])
                for v in violations
                if v["impact"] in ("serious", "critical")
            ]
        page.close()
    (ARTIFACTS / "axe-report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    assert not serious, serious
    assert AXE.exists()  # vendored with its licence: static/vendor/axe-core/
    for name in pages:
        for device in ("desktop", "mobile"):
            assert (ARTIFACTS / f"{name}-{device}.png").stat().st_size > 10_000


def test_mobile_layout_has_no_horizontal_scrolling_and_prints_articles_cleanly(chromium, portal):
    page = new_page(chromium, MOBILE)
    for url in ("/", "/decisions/", _pages()["article"], _pages()["person"]):
        page.goto(portal + url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (url, overflow)
    page.goto(portal + _pages()["article"])
    page.emulate_media(media="print")
    assert not page.is_visible(".site-header") and not page.is_visible(".provision-toc")
    assert page.is_visible(".citation") and page.is_visible("#article-title")
    page.close()
