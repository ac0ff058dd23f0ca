"""The HTML report (diffreport diff --format html): its markup read with BeautifulSoup, then
the page in a real browser — Debian's Chromium driven by Playwright (skipped, never passed,
when either is missing): no console errors, no requests, rows per status, filters, n / p,
moved units linked both ways."""

from __future__ import annotations

import re
import shutil
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from conftest import FIXTURES, SEEDS, law_pairs

from diffreport.cli import main
from diffreport.compare import compare
from diffreport.writers import html

SEED_PAIR = (SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt")
MOVES_PAIR = (SEEDS / "nankai-2021-government-work-report.txt", SEEDS / "nankai-2024-plan.txt")
LAW_PAIR = law_pairs()[1]
ENGLISH = (
    FIXTURES / "english" / "github-acceptable-use-policies.2021.md",
    FIXTURES / "english" / "github-acceptable-use-policies.2024.md",
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module", params=[SEED_PAIR, MOVES_PAIR, LAW_PAIR, ENGLISH], ids=str)
def page(request):
    c = compare(*request.param)
    return c, html.render(c)


def test_one_row_element_per_block_alignment(page):
    c, text = page
    soup = BeautifulSoup(text, "html.parser")
    blocks = soup.select('[data-level="block"]')
    assert Counter(r["data-status"] for r in blocks) == c.counts("block")
    found = sorted((tuple(r["data-old"].split()), tuple(r["data-new"].split())) for r in blocks)
    assert found == sorted((tuple(a.old), tuple(a.new)) for a in c.at("block"))
    assert len(soup.select('[data-level="section"]')) == len(c.at("section"))


def test_self_contained(page):
    """Nothing is fetched: no src, no stylesheet link, no url() but data:, and a CSP that
    forbids every request."""
    _, text = page
    soup = BeautifulSoup(text, "html.parser")
    assert not soup.select("[src]")
    assert not soup.select("link")
    for a in soup.select("a[href]"):
        assert a["href"].startswith("#")
    css = "".join(s.get_text() for s in soup.select("style"))
    assert not re.search(r"url\((?!\s*['\"]?data:)", css) and "@import" not in css
    csp = soup.select_one('meta[http-equiv="Content-Security-Policy"]')["content"]
    assert "default-src 'none'" in csp


def test_accessible_markup(page):
    c, text = page
    soup = BeautifulSoup(text, "html.parser")
    lang = soup.html["lang"]
    assert lang == ("en" if "github" in c.old.path else "zh-CN")
    assert soup.h1 and soup.select("h2")
    # Every non-unchanged status is shown as a symbol and a word, not by colour alone.
    for row in soup.select('[data-level="block"]'):
        if row["data-status"] != "unchanged":
            badge = row.select_one(".note .st")
            assert badge is not None and badge.get_text(strip=True)[1:].strip()


def test_document_text_is_escaped():
    c = compare("第一条 <script>alert(1)</script> 旧。\n", "第一条 <b>新</b> & 旧。\n")
    text = html.render(c)
    assert "<script>alert(1)" not in text and "&lt;script&gt;" in text


def test_cli_html(tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        main, ["diff", str(SEED_PAIR[0]), str(SEED_PAIR[1]), "--format", "html", "-o", str(out)]
    )
    assert result.exit_code == 1, result.output  # the documents differ
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ------------------------------------------------------------------ in Chromium


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("Chromium not installed")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    executable = chromium_path()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, tmp_path, c):
    path = tmp_path / "report.html"
    path.write_text(html.render(c), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    events = {"console": [], "requests": []}
    page.on(
        "console",
        lambda m: events["console"].append(m.text) if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: events["console"].append(str(e)))
    page.on("request", lambda r: events["requests"].append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, events, path


def test_loads_without_errors_or_requests(browser, tmp_path):
    c = compare(*SEED_PAIR)
    page, events, path = open_page(browser, tmp_path, c)
    assert events["console"] == []
    assert events["requests"] == [path.as_uri()]
    counts = page.evaluate(
        """() => {
        const out = {};
        document.querySelectorAll('[data-level="block"]').forEach(r => {
          out[r.dataset.status] = (out[r.dataset.status] || 0) + 1; });
        return out; }"""
    )
    assert counts == dict(c.counts("block"))
    page.close()


def test_filter_hides_what_it_should(browser, tmp_path):
    c = compare(*LAW_PAIR)
    page, events, _ = open_page(browser, tmp_path, c)
    unchanged = c.counts("block")["unchanged"]
    assert unchanged
    visible = "r => r.checkVisibility ? r.checkVisibility() : r.offsetParent !== null"
    count_visible = (
        f"""sel => Array.from(document.querySelectorAll(sel)).filter({visible}).length"""
    )
    assert (
        page.evaluate(count_visible, '[data-level="block"][data-status="unchanged"]') == unchanged
    )
    page.uncheck('#controls input[value="unchanged"]')
    assert page.evaluate(count_visible, '[data-level="block"][data-status="unchanged"]') == 0
    changed = c.counts("block")["changed"]
    assert page.evaluate(count_visible, '[data-level="block"][data-status="changed"]') == changed
    page.check('#controls input[value="unchanged"]')
    assert (
        page.evaluate(count_visible, '[data-level="block"][data-status="unchanged"]') == unchanged
    )
    assert events["console"] == []
    page.close()


def test_n_and_p_move_between_changes(browser, tmp_path):
    c = compare(*LAW_PAIR)
    page, events, _ = open_page(browser, tmp_path, c)
    changes = page.evaluate(
        """() => Array.from(document.querySelectorAll('.row.unit'))
             .filter(r => r.dataset.cats !== 'unchanged').map(r => r.id)"""
    )
    assert len(changes) >= 3
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.id") == changes[0]
    page.keyboard.press("n")
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.id") == changes[2]
    page.keyboard.press("p")
    assert page.evaluate("document.activeElement.id") == changes[1]
    in_view = page.evaluate(
        """id => { const b = document.getElementById(id).getBoundingClientRect();
                  return b.top >= 0 && b.top < window.innerHeight; }""",
        changes[1],
    )
    assert in_view
    assert events["console"] == []
    page.close()


def test_moved_units_are_linked_both_ways(browser, tmp_path):
    c = compare(*MOVES_PAIR)
    moved = [a for a in c.at("block") if a.moved]
    assert moved
    page, events, _ = open_page(browser, tmp_path, c)
    links = page.evaluate(
        """() => Array.from(document.querySelectorAll('.row.unit[data-moved] a.jump'))
             .map(a => [a.closest('.row').id, a.dataset.partner])"""
    )
    assert len(links) == len(moved)
    for row_id, partner in links[:2]:
        # From the unit in its new place to where it stood, and back.
        page.click(f"#{row_id} a.jump")
        assert page.evaluate("document.activeElement.id") == partner
        assert page.evaluate(f"document.getElementById('{partner}').classList.contains('flash')")
        top = page.evaluate(f"document.getElementById('{partner}').getBoundingClientRect().top")
        assert 0 <= top < 900
        assert page.evaluate(f"document.getElementById('{partner}').dataset.cats") == "moved"
        page.click(f"#{partner} a.jump")
        assert page.evaluate("document.activeElement.id") == row_id
    assert events["console"] == []
    page.close()


def test_prints_as_a_landscape_table(browser, tmp_path):
    c = compare(*LAW_PAIR)
    page, _, _ = open_page(browser, tmp_path, c)
    same_heading = """() => ['old', 'new'].map(side => getComputedStyle(
        document.querySelector('.row.heading.same > .' + side)).display)"""
    assert page.evaluate(same_heading)[1] == "none"  # on screen: one full-width heading
    page.emulate_media(media="print")
    assert page.evaluate(same_heading) == ["table-cell", "table-cell"]  # printed: both columns
    layout = page.evaluate(
        """() => [getComputedStyle(document.getElementById('table')).display,
                  getComputedStyle(document.querySelector('.hdr')).display,
                  getComputedStyle(document.getElementById('outline')).display]"""
    )
    assert layout == ["table", "table-header-group", "none"]
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    page.close()
