"""Keyboard helpers for the browser suite: walking a page with Tab, and measuring
whether the focus indicator of each element reached is visible (WCAG 2.4.7, 2.4.11,
1.4.11).

The measure: a screenshot of the element's box plus a margin, once focused and once
not; for each pixel, the contrast ratio between its two colours (WCAG relative
luminance); the indicator passes when at least as many pixels changed by 3:1 or more
as the element's perimeter is long, in CSS pixels (times the device pixel ratio
squared, since the count is of an area). A one-pixel solid ring at 3:1 round the
element is just enough; an `outline: none` with nothing in its place is not.

The pixel maths uses Pillow only: each channel goes through a lookup table to linear
light (weighted by its share of luminance), the three are summed as float images,
and ImageMath compares the two luminances."""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from typing import Any

from PIL import Image, ImageMath
from playwright.sync_api import ElementHandle, FloatRect, Locator, Page

RATIO = 3.0
MARGIN = 12  # CSS px round the element's box: the indicator may lie outside it
MAX_STOPS = 400  # more Tab stops than this on one page is taken for a trap


# --- pixels -----------------------------------------------------------------------------


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


_WEIGHTS = (0.2126, 0.7152, 0.0722)
_TABLES = [[w * _linear(i) for i in range(256)] for w in _WEIGHTS]


def luminance(image: Image.Image) -> Image.Image:
    """The WCAG relative luminance of each pixel, as a float ("F") image."""
    channels = image.convert("RGB").split()
    r, g, b = (c.point(table, "F") for c, table in zip(channels, _TABLES, strict=True))
    return ImageMath.lambda_eval(lambda a: a["r"] + a["g"] + a["b"], r=r, g=g, b=b)


def contrast_count(before: Image.Image, after: Image.Image, ratio: float = RATIO) -> int:
    """How many pixels differ between the two images by `ratio`:1 or more."""
    assert before.size == after.size, (before.size, after.size)
    lum_a, lum_b = luminance(before), luminance(after)
    mask = ImageMath.lambda_eval(
        lambda a: a["max"](a["x"], a["y"]) + 0.05 >= (a["min"](a["x"], a["y"]) + 0.05) * ratio,
        x=lum_a,
        y=lum_b,
    )
    return int(mask.convert("L").point(lambda v: 1 if v else 0).histogram()[1])


def contrast_ratio(rgb_a: tuple[int, int, int], rgb_b: tuple[int, int, int]) -> float:
    """The WCAG contrast ratio of two colours (for messages and fixtures)."""

    def lum(rgb: tuple[int, int, int]) -> float:
        return sum(w * _linear(c) for w, c in zip(_WEIGHTS, rgb, strict=True))

    hi, lo = sorted((lum(rgb_a), lum(rgb_b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# --- Tab stops --------------------------------------------------------------------------

# What is focused now, where it is on screen and which part of the page holds it. Each
# element reached is marked (data-tab-stop) so that reaching it again is noticed.
_ACTIVE = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const seen = el.getAttribute("data-tab-stop");
  const index = document.querySelectorAll("[data-tab-stop]").length;
  if (seen === null) el.setAttribute("data-tab-stop", String(index));
  // Where the indicator is drawn: a visually hidden radio or checkbox styled as a
  // button (.btn-check) shows it on its label.
  let shown = el;
  const own = el.getBoundingClientRect();
  if ((own.width <= 1 || own.height <= 1) && el.labels && el.labels.length) shown = el.labels[0];
  const r = shown.getBoundingClientRect();
  const region = el.closest("header") ? "header"
    : el.closest("footer") ? "footer"
    : el.closest("form") ? "form#" + Array.from(document.forms).indexOf(el.closest("form"))
    : "main";
  const name = (el.getAttribute("aria-label") || el.innerText || el.value
    || el.getAttribute("title") || el.getAttribute("name") || "").trim().replace(/\\s+/g, " ");
  const classes = (el.getAttribute("class") || "").trim().split(/\\s+/).filter(Boolean);
  return {
    seen: seen === null ? null : Number(seen),
    index: seen === null ? index : Number(seen),
    label: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (classes.length ? "." + classes.slice(0, 3).join(".") : "")
      + " «" + name.slice(0, 40) + "»",
    x: r.x, y: r.y, width: r.width, height: r.height,
    page_x: r.x + window.scrollX, page_y: r.y + window.scrollY,
    region: region,
    tabindex: el.tabIndex,
  };
}
"""


# Pressing Tab scrolls the element into view, smoothly where the page asks for it
# (Bootstrap's `scroll-behavior: smooth`): wait until the page stands still.
_SETTLED = """
() => new Promise(resolve => {
  let last = null, still = 0;
  function frame() {
    const now = window.scrollX + "," + window.scrollY;
    still = now === last ? still + 1 : 0;
    last = now;
    if (still >= 3) resolve(true); else requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
})
"""


@dataclass
class Stop:
    index: int
    label: str
    x: float
    y: float
    width: float
    height: float
    page_x: float  # the box's corner on the page, wherever it is scrolled to
    page_y: float
    region: str
    tabindex: int

    @property
    def perimeter(self) -> float:
        return 2 * (self.width + self.height)

    def __str__(self) -> str:
        return f"#{self.index} {self.label} [{self.region}]"


@dataclass
class Walk:
    """The Tab stops of one page, in order, and how the walk ended."""

    stops: list[Stop] = field(default_factory=list)
    trapped: str = ""  # why the walk is taken for a trap; empty when focus got out


def active_stop(page: Page) -> tuple[Stop | None, int | None]:
    """The focused element as a Stop (None on the page itself) and, when it was
    reached before, the index it had then."""
    page.evaluate(_SETTLED)
    data: dict[str, Any] | None = page.evaluate(_ACTIVE)
    if data is None:
        return None, None
    seen = data.pop("seen")
    return Stop(**data), seen


# Start as a person who has just opened the page does, before any field the page
# focused itself (autofocus): the next Tab goes to the first element of the page. A
# focused element that is removed leaves the starting point of Tab where it stood.
_FROM_THE_TOP = """
() => {
  window.scrollTo(0, 0);
  const mark = document.createElement("span");
  mark.tabIndex = -1;
  document.body.prepend(mark);
  mark.focus({preventScroll: true});
  mark.remove();
}
"""


# Whether the element reached as stop `index` is the last one Tab can reach in the
# document (what a browser would go round from).
_LAST_TABBABLE = """
index => {
  const tabbable = Array.from(document.querySelectorAll(
    "a[href], area[href], button, input, select, textarea, summary, iframe, [tabindex], "
    + "[contenteditable=''], [contenteditable='true'], audio[controls], video[controls]"
  )).filter(el => el.tabIndex >= 0 && !el.disabled && el.type !== "hidden"
    && !el.closest("[inert]") && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden");
  const last = tabbable[tabbable.length - 1];
  return last !== undefined && last.getAttribute("data-tab-stop") === String(index);
}
"""


def from_the_top(page: Page) -> None:
    """The next Tab goes to the page's first element."""
    page.evaluate(_FROM_THE_TOP)


def walk(page: Page, *, on_stop: Any = None, key: str = "Tab") -> Walk:
    """Press Tab (or `key`) from the top of the page until focus leaves the page
    (after the last element, Chromium gives focus to the page itself or to its own
    controls) or goes round from the page's last element to its first. `on_stop(stop)`
    is called at each new element while it has focus. Any other element reached a
    second time, or too many stops, is a trap."""
    result = Walk()
    page.evaluate(
        "document.querySelectorAll('[data-tab-stop]')"
        ".forEach(el => el.removeAttribute('data-tab-stop'))"
    )
    page.evaluate(_FROM_THE_TOP)
    for _ in range(MAX_STOPS):
        page.keyboard.press(key)
        stop, seen = active_stop(page)
        if stop is None:  # out of the page (to the browser's own controls)
            return result
        if seen is not None:
            if seen == 0 and page.evaluate(_LAST_TABBABLE, result.stops[-1].index):
                return result  # round from the page's last element to its first
            result.trapped = f"{stop} was reached again after {result.stops[-1]}"
            return result
        result.stops.append(stop)
        if on_stop is not None:
            on_stop(stop)
    result.trapped = f"more than {MAX_STOPS} Tab stops: focus never left the page"
    return result


# --- the indicator ----------------------------------------------------------------------


@dataclass
class Indicator:
    stop: Stop
    changed: int  # device pixels changed by 3:1 or more
    needed: int  # the perimeter, in device pixels of area
    focused: bytes = b""
    unfocused: bytes = b""

    @property
    def passed(self) -> bool:
        return self.needed > 0 and self.changed >= self.needed

    def __str__(self) -> str:
        return f"{self.stop}: {self.changed} px changed by {RATIO}:1, needs {self.needed}"


_CENTRE = """
el => {
  const shown = (el.getBoundingClientRect().width <= 1 && el.labels && el.labels.length)
    ? el.labels[0] : el;
  shown.scrollIntoView({block: "center", inline: "nearest", behavior: "instant"});
  const r = shown.getBoundingClientRect();
  return {x: r.x, y: r.y};
}
"""


def _clip(page: Page, stop: Stop, *, whole: bool = False) -> FloatRect | None:
    """The element's box plus the margin, within the window (None when nothing of it
    is in the window, or with `whole`, when any of it is outside)."""
    viewport = page.viewport_size or {"width": 1280, "height": 900}
    width, height = float(viewport["width"]), float(viewport["height"])
    box = (
        stop.x - MARGIN,
        stop.y - MARGIN,
        stop.x + stop.width + MARGIN,
        stop.y + stop.height + MARGIN,
    )
    left, top = max(0.0, box[0]), max(0.0, box[1])
    right, bottom = min(width, box[2]), min(height, box[3])
    if whole and (left, top, right, bottom) != box:
        return None
    if right - left < 1 or bottom - top < 1:
        return None
    return FloatRect(x=left, y=top, width=right - left, height=bottom - top)


def _shot(page: Page, clip: FloatRect) -> bytes:
    return page.screenshot(clip=clip, animations="disabled", caret="hide", scale="device")


def measure(page: Page, stop: Stop) -> Indicator:
    """Compare the focused element's pixels with its unfocused ones, then give it
    focus back so that the next Tab goes on from it."""
    handle: ElementHandle | None = page.evaluate_handle("document.activeElement").as_element()
    assert handle is not None
    dpr = float(page.evaluate("window.devicePixelRatio"))
    if _clip(page, stop, whole=True) is None:
        # Tab scrolled the element just into view: its ring may be cut by the window's
        # edge. Centre it (no smooth scrolling) and measure where it is now.
        box = handle.evaluate(_CENTRE)
        stop = replace(stop, x=box["x"], y=box["y"])
    visible_w = min(stop.x + stop.width, float((page.viewport_size or {"width": 1280})["width"]))
    visible_w -= max(stop.x, 0.0)
    visible_h = min(stop.y + stop.height, float((page.viewport_size or {"height": 900})["height"]))
    visible_h -= max(stop.y, 0.0)
    needed = round(2 * (max(visible_w, 0.0) + max(visible_h, 0.0)) * dpr * dpr)
    clip = _clip(page, stop)
    if clip is None or stop.width < 1 or stop.height < 1:
        handle.dispose()
        return Indicator(stop, 0, max(needed, 1))
    focused = _shot(page, clip)
    handle.evaluate("el => el.blur()")
    unfocused = _shot(page, clip)
    handle.evaluate("el => el.focus({preventScroll: true})")
    handle.dispose()
    with Image.open(io.BytesIO(focused)) as a, Image.open(io.BytesIO(unfocused)) as b:
        changed = contrast_count(a, b)
    return Indicator(stop, changed, needed, focused, unfocused)


# --- reading order ----------------------------------------------------------------------


def order_problems(stops: list[Stop], *, rtl: bool) -> list[str]:
    """Successive stops of one part of the page (the header, one form) must follow the
    reading order: on one row, right to left (left to right in English); never back up
    to an earlier row. No element may take a positive tabindex."""
    problems = [f"{s}: tabindex={s.tabindex} reorders the page" for s in stops if s.tabindex > 0]
    for before, after in zip(stops, stops[1:], strict=False):
        if before.region != after.region or before.region == "main":
            continue
        if min(before.width, before.height, after.width, after.height) < 1:
            continue
        top_b, top_a = before.page_y, after.page_y
        overlap = min(top_b + before.height, top_a + after.height) - max(top_b, top_a)
        same_row = overlap >= 0.5 * min(before.height, after.height)
        if same_row:
            # Compare the edges where reading starts: the right one in Persian.
            if rtl:
                ok = after.page_x + after.width <= before.page_x + before.width + 1
            else:
                ok = after.page_x >= before.page_x - 1
            if not ok:
                side = "left" if rtl else "right"
                problems.append(f"{after} comes after {before} but stands to its {side}")
        elif top_a + after.height <= top_b + 1:
            problems.append(f"{after} comes after {before} but stands above it")
    return problems


# --- moving by keyboard -----------------------------------------------------------------


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 150) -> int:
    """Press Tab (Shift+Tab with `backwards`) until `target` has focus, as a keyboard
    user does; how many presses it took. The locator only names the element."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if target.evaluate("el => el === document.activeElement"):
            return presses
    raise AssertionError(f"{target} never got focus in {limit} presses of {key}")


def assert_focus_visible(page: Page) -> Indicator:
    """The focused element's indicator passes the measure above."""
    stop, _seen = active_stop(page)
    assert stop is not None, "nothing has focus"
    indicator = measure(page, stop)
    assert indicator.passed, str(indicator)
    return indicator
