"""The HTML book in a real browser: Debian's headless Chromium driven by Playwright. Every page loads
without console errors or requests leaving the machine, every image is decoded, every internal link
resolves, Chinese text is drawn with a CJK font, and the math is typeset. Screenshots of the landing page
and one notebook page go to build/screenshots/ for a person to look at. The book shows what the last
run stored (notebooks, exhibits, codebook), so here the stored outputs are the thing under test; the
book itself is built afresh into a temporary folder."""
import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from helpers import book, paths

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; .ci/run installs it
# As root on a closed network: no sandbox, no background connections to the browser vendor's hosts.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
SCREENSHOTS = paths.ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The book built into a temporary folder and served on a free localhost port."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install Debian's chromium and fonts-noto-cjk (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    root = book.build(tmp_path_factory.mktemp("book") / "book").parent
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield chromium
        chromium.close()


def visit(browser, url):
    """Open `url`; returns the page and the problems seen: console errors, page errors, failed or
    external requests, HTTP errors."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    host = urlparse(url).netloc

    def route(r):
        if urlparse(r.request.url).netloc in (host, "") or r.request.url.startswith("data:"):
            r.continue_()
        else:
            problems.append(f"external request {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    page.goto(url, wait_until="load")
    if page.evaluate("document.querySelector('script[src*=mathjax]') !== null"):
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("MathJax.startup.promise")
    return page, problems


def pages(root):
    return sorted(p.name for p in root.glob("*.html"))


def test_the_book_has_a_landing_page_every_notebook_and_the_reference_pages(site):
    root, _ = site
    expected = {"index.html", "exhibits.html", "codebook.html", "manifest.html"}
    expected |= {f"{nb.stem}.html" for nb in paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    assert set(pages(root)) == expected


def test_every_page_loads_cleanly_with_its_images_and_links(site, browser):
    root, base = site
    for name in pages(root):
        page, problems = visit(browser, base + name)
        assert problems == [], name
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.getAttribute('alt') || e.src.slice(0, 40), e.complete && e.naturalWidth])")
        assert all(width and width > 0 for _, width in images), (name, [i for i in images if not i[1]])
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urljoin(base + name, href)
            if not target.startswith(base):
                continue  # a link to the outside world, not part of the book
            file, anchor = urldefrag(target)
            path = root / file[len(base):]
            assert path.is_file(), f"{name}: link {href} does not resolve"
            if anchor:
                assert f'id="{anchor}"' in path.read_text(encoding="utf-8"), f"{name}: anchor {href} missing"
        page.close()


def test_the_landing_page_carries_findings_scorecard_and_known_differences(site, browser):
    _, base = site
    page, _ = visit(browser, base + "index.html")
    headings = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
    assert {"Findings", "Verdicts", "Scorecard", "Notebooks", "Known differences from the paper"} <= set(headings)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "landing.png", full_page=True)
    page.close()


def test_chinese_text_is_drawn_with_a_cjk_font(site, browser):
    """The font Chromium actually used for the Chinese words of the landing page (DevTools protocol),
    and their width: a CJK font draws each character one em wide, a missing glyph box would not be
    from a CJK font at all."""
    _, base = site
    page, _ = visit(browser, base + "index.html")
    page.evaluate("""() => { const s = document.createElement('span'); s.id = 'cjk-probe';
                     s.style.fontSize = '40px'; s.textContent = '数字经济'; document.querySelector('main').prepend(s); }""")
    # the probe is laid out and its fonts loaded before asking which fonts drew it (a busy machine
    # may otherwise answer before the first layout, with no font at all)
    page.evaluate("() => document.fonts.ready.then(() => document.getElementById('cjk-probe').getBoundingClientRect().width)")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    document = cdp.send("DOM.getDocument")
    node = cdp.send("DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": "#cjk-probe"})
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    assert fonts and all("CJK SC" in f["familyName"] for f in fonts), fonts  # Simplified Chinese forms, as the CSS asks
    assert sum(f["glyphCount"] for f in fonts) == 4
    width = page.evaluate("document.getElementById('cjk-probe').getBoundingClientRect().width")
    assert width == pytest.approx(4 * 40, rel=0.05)
    # the page's own Chinese (the paper's title, table headings) is drawn by the same kind of font
    page.evaluate("""() => { const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
                     while (walker.nextNode()) { if (/[\\u4e00-\\u9fff]/.test(walker.currentNode.textContent)
                                                      && !walker.currentNode.parentElement.closest('#cjk-probe')) {
                         walker.currentNode.parentElement.id = 'cjk-text'; return; } } }""")
    document = cdp.send("DOM.getDocument")
    text = cdp.send("DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": "#cjk-text"})
    assert text["nodeId"], "no Chinese text on the landing page"
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": text["nodeId"]})["fonts"]
    assert any("CJK SC" in f["familyName"] for f in fonts), fonts
    page.close()


def test_math_is_typeset(site, browser):
    _, base = site
    page, problems = visit(browser, base + "07_moderation.html")
    assert problems == []
    display = page.locator("mjx-container[display=true]")
    assert display.count() >= 1 and display.first.bounding_box()["width"] > 100  # the model equation
    assert page.locator("mjx-container").count() > 1  # and inline math
    assert page.locator("mjx-merror").count() == 0
    assert "$$" not in page.inner_text("main")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "07_moderation.png", full_page=False)
    page.close()


def test_exercise_solutions_are_folded_until_clicked(site, browser):
    _, base = site
    page, _ = visit(browser, base + "05_baseline.html")
    solutions = page.locator("details")
    assert solutions.count() >= 2
    first = solutions.first
    assert first.evaluate("d => d.open") is False
    assert not first.locator("p").first.is_visible()
    first.locator("summary").click()
    assert first.locator("p").first.is_visible()
    page.close()


def test_a_malformed_manifest_stops_the_book_before_anything_is_written(tmp_path, monkeypatch):
    """A truncated line in data/raw/MANIFEST.csv is an error naming file and line, not a table with blank
    cells; the book is not started."""
    from helpers.files import InputError
    lines = paths.MANIFEST.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "MANIFEST.csv"
    broken.write_text("\n".join([*lines[:3], lines[3].split(",")[0], *lines[4:]]) + "\n", encoding="utf-8")
    monkeypatch.setattr(paths, "MANIFEST", broken)
    with pytest.raises(InputError, match=r"MANIFEST.csv.*line 4"):
        book.build(tmp_path / "book")
    assert not (tmp_path / "book").exists()


def test_a_folder_the_book_did_not_make_is_left_as_it_is_with_a_message(tmp_path):
    """A rerun's folder named build/book (or any folder of someone's files) is not emptied: make book stops
    with a message saying how to go on, not a traceback."""
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "run.json").write_text("someone's")
    with pytest.raises(SystemExit, match=rf"^{tmp_path}/book is not empty and was not made by helpers.book: remove it "
                                         rf"\(rm -r {tmp_path}/book\) or build the book elsewhere \(python -m helpers.book --out DIR\)$"):
        book.main(["--out", str(tmp_path / "book")])
    assert [p.name for p in (tmp_path / "book").iterdir()] == ["run.json"]
