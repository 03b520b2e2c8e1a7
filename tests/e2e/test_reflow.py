"""Reflow, text spacing and motion (WCAG 1.4.10, 1.4.12, 2.3.3 / C39), on the main
pages in Persian and in English.

- At 320 CSS pixels wide (1280 px at 400% zoom) no page scrolls sideways: the
  document is no wider than the window. What sticks out is named in the failure.
- With the text-spacing overrides of WCAG 1.4.12 (line height 1.5, paragraphs 2em
  apart, letters 0.12em, words 0.16em) nothing is cut off: no element that hides its
  overflow holds more than it shows, and the page still does not scroll sideways.
- With `prefers-reduced-motion: reduce`, no element has a transition or an animation
  left; without it, Bootstrap's buttons still ease (so the check means something).

Screenshots: tests/e2e/screenshots/reflow-<lang>-<page>.png (at 320 px) and
spacing-<lang>-<page>.png (1280 px, spacing applied)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page

from .conftest import SCREENSHOTS
from .test_focus import (
    CITIZEN,
    PUBLIC_PAGES,
    citizen_paths,
    new_context,
    open_page,
    set_language,
    sign_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The WCAG 1.4.12 overrides, as the W3C's text-spacing bookmarklet applies them.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""

# How the scripts below name an element: tag, id, classes and the start of its text.
_NAME_OF = """
  const nameOf = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "")
    + " «" + (el.innerText || "").trim().slice(0, 40).replace(/\\s+/g, " ") + "»";
"""

# What makes the page wider than the window: the elements whose box goes past its
# right edge (or its left one), outermost first, named by tag, id, classes and text.
_SIDEWAYS = (
    """
() => {"""
    + _NAME_OF
    + """
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right <= width + 0.5 && r.left >= -0.5) continue;
    if (el.closest(".visually-hidden, .visually-hidden-focusable:not(:focus)")) continue;
    // Skip what only sticks out inside a parent that scrolls or clips it.
    let clipped = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== "visible") { clipped = true; break; }
    }
    if (clipped) continue;
    if (out.some(o => o.el.contains(el))) continue;
    out.push({el, text: nameOf(el) + " [" + Math.round(r.left) + ".." + Math.round(r.right) + "]"});
  }
  return {scroll: document.documentElement.scrollWidth, width: window.innerWidth,
          culprits: out.slice(0, 8).map(o => o.text)};
}
"""
)

# A box that scrolls sideways inside the page (a wide table) must be reachable and named:
# a Tab stop (so arrow keys scroll it) with the role region and a name.
_SCROLLERS = (
    """
() => {"""
    + _NAME_OF
    + """
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const s = getComputedStyle(el);
    if (!["auto", "scroll"].includes(s.overflowX)) continue;
    if (el.scrollWidth <= el.clientWidth + 1 || el.getClientRects().length === 0) continue;
    const named = el.getAttribute("aria-label") || (el.getAttribute("aria-labelledby") || "")
      .split(/\\s+/).map(id => document.getElementById(id)).filter(Boolean)
      .map(n => n.textContent.trim()).join(" ");
    if (el.tabIndex !== 0 || el.getAttribute("role") !== "region" || !named) {
      out.push("scrolls sideways but is not a named region with a Tab stop: " + nameOf(el));
    }
  }
  return out;
}
"""
)

# A list laid out as a row (breadcrumbs, the steps of registration) shows no list
# numbers: they would stand beside the items' own and hang outside a narrow card.
_STRAY_MARKERS = """
() => Array.from(document.querySelectorAll("ol, ul"))
  .filter(list => getComputedStyle(list).display.includes("flex"))
  .filter(list => Array.from(list.children).some(li =>
    getComputedStyle(li).display === "list-item" && getComputedStyle(li).listStyleType !== "none"))
  .map(list => "list numbers beside a row of items: " + list.tagName.toLowerCase() + "."
    + list.className.trim().split(/\\s+/).join("."))
"""

# Elements that hide their overflow but hold more than they show. Bootstrap's
# visually-hidden text is meant to be hidden (1px boxes), and so is a closed <details>.
_CLIPPED = (
    """
() => {"""
    + _NAME_OF
    + """
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(".visually-hidden, .visually-hidden-focusable:not(:focus)")) continue;
    const s = getComputedStyle(el);
    const hidesX = ["hidden", "clip"].includes(s.overflowX);
    const hidesY = ["hidden", "clip"].includes(s.overflowY);
    if (!hidesX && !hidesY) continue;
    if (el.getClientRects().length === 0) continue;
    const overX = hidesX && el.scrollWidth > el.clientWidth + 1;
    const overY = hidesY && el.scrollHeight > el.clientHeight + 1;
    if (!overX && !overY) continue;
    if (!(el.innerText || "").trim()) continue;
    out.push(nameOf(el) + ` ${el.scrollWidth}x${el.scrollHeight} in `
      + `${el.clientWidth}x${el.clientHeight}`);
  }
  return out;
}
"""
)

# An htmx request under way: its indicator fades in (payam.css), unless motion is off.
_HTMX_REQUEST = """
() => {
  const busy = document.createElement("span");
  busy.className = "htmx-request";
  busy.innerHTML = '<span class="htmx-indicator">…</span>';
  document.querySelector("main").append(busy);
}
"""

# Every element's transitions and animations that still take time.
_MOVING = """
() => {
  const out = [];
  const long = v => v.split(",").some(d => parseFloat(d) > 0);
  for (const el of document.querySelectorAll("*")) {
    for (const pseudo of [null, "::before", "::after"]) {
      const s = getComputedStyle(el, pseudo);
      if (long(s.transitionDuration) || long(s.transitionDelay)
          || (s.animationName !== "none" && long(s.animationDuration))) {
        out.push(el.tagName.toLowerCase() + (pseudo || "") + "."
          + (typeof el.className === "string" ? el.className.trim().split(/\\s+/).join(".") : "")
          + " " + s.transitionDuration + " / " + s.animationDuration);
      }
    }
  }
  return out.slice(0, 20);
}
"""


def all_pages(lang: str) -> Iterator[tuple[str, str, bool]]:
    """(name, path, signed in) of the main pages."""
    for key, path in PUBLIC_PAGES.items():
        yield f"{lang}-{key}", path, False
    for key, path in citizen_paths().items():
        yield f"{lang}-{key}", path, True


def visit(
    browser: Browser, live_server, client, lang: str, width: int, **context_options
) -> Iterator[tuple[str, Page]]:
    """Each main page in turn, in a window `width` pixels wide."""
    anonymous: BrowserContext = new_context(browser, lang, width, **context_options)
    citizen: BrowserContext = new_context(browser, lang, width, **context_options)
    try:
        set_language(anonymous, live_server.url, lang)
        set_language(citizen, live_server.url, lang)
        sign_in(citizen, live_server.url, client, CITIZEN)
        tabs = {False: anonymous.new_page(), True: citizen.new_page()}
        for name, path, signed_in in all_pages(lang):
            page = tabs[signed_in]
            open_page(page, live_server.url + path)
            yield name, page
    finally:
        anonymous.close()
        citizen.close()


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_no_page_scrolls_sideways_at_320_pixels(browser, live_server, client, lang):
    call_command("seed_demo", allow_production=True)
    failures = []
    for name, page in visit(browser, live_server, client, lang, 320):
        page.screenshot(path=str(SCREENSHOTS / f"reflow-{name}.png"), full_page=True)
        found = page.evaluate(_SIDEWAYS)
        if found["scroll"] > found["width"]:
            failures.append(
                f"{name}: {found['scroll']} px wide in {found['width']}: "
                + "; ".join(found["culprits"])
            )
        failures += [f"{name}: {problem}" for problem in page.evaluate(_SCROLLERS)]
        failures += [f"{name}: {problem}" for problem in page.evaluate(_STRAY_MARKERS)]
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("lang", ["fa", "en"])
@pytest.mark.parametrize("width", [1280, 320])
def test_text_spacing_cuts_nothing_off(browser, live_server, client, lang, width):
    call_command("seed_demo", allow_production=True)
    failures = []
    # The overrides are the reader's own style sheet: the page's CSP does not apply to it.
    for name, page in visit(browser, live_server, client, lang, width, bypass_csp=True):
        page.add_style_tag(content=TEXT_SPACING)
        page.evaluate("document.fonts.ready.then(() => true)")
        if width == 1280:
            page.screenshot(path=str(SCREENSHOTS / f"spacing-{name}.png"), full_page=True)
        clipped = page.evaluate(_CLIPPED)
        failures += [f"{name}: cut off: {c}" for c in clipped]
        found = page.evaluate(_SIDEWAYS)
        if found["scroll"] > found["width"]:
            failures.append(
                f"{name}: {found['scroll']} px wide in {found['width']}: "
                + "; ".join(found["culprits"])
            )
    assert failures == [], "\n".join(failures)


def test_reduced_motion_stops_every_transition(browser, live_server, client):
    call_command("seed_demo", allow_production=True)
    still = []
    for name, page in visit(browser, live_server, client, "fa", 1280, reduced_motion="reduce"):
        assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
        page.evaluate(_HTMX_REQUEST)
        moving = page.evaluate(_MOVING)
        still += [f"{name}: {m}" for m in moving]
        assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
    assert still == [], "\n".join(still)

    # Without the preference, the same pages do move: the check above is not empty.
    context = new_context(browser, "fa", 1280, reduced_motion="no-preference")
    try:
        page = context.new_page()
        open_page(page, live_server.url + "/")
        page.evaluate(_HTMX_REQUEST)
        moving = page.evaluate(_MOVING)
        assert any(m.startswith("span.htmx-indicator") for m in moving), moving
        assert any(".btn" in m for m in moving), moving
    finally:
        context.close()
