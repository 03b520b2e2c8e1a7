"""axe-core in the browser tests: loaded from the copy committed under
tests/e2e/vendor/axe-core/ (never a CDN, no `npm install` needed on a fresh clone), with
its icon-ligature heuristic switched off, and run with the WCAG 2.0, 2.1 and 2.2 A and AA
rules plus the best-practice rules on landmarks and headings, and two checks of its
own on colour (below).

Loading. The site's Content-Security-Policy has `script-src 'self'`: Playwright's
`add_script_tag(content=…)` adds an inline <script>, which the policy blocks
(test_accessibility.py shows it). The context option `bypass_csp` would let it in, but
it would also let in what the policy keeps out of the real page (a `style=` attribute,
a <style> block) and hide the console's CSP errors, so the sweep would check a page
nobody sees. Instead the source is evaluated through the DevTools protocol
(`page.evaluate`), which the page's policy does not govern: the page under test is
rendered exactly as it is served.

The icon-ligature trap. axe's colour-contrast rule checks an element only if it has a
text node that `isIconLigature` does not take for an icon-font ligature
(`hasRealTextChildren` in axe's source). The heuristic draws the first character alone
and then the whole text on a canvas, and calls the text a ligature when the two differ a
lot and the text is narrower than its characters side by side — which is what joined
Persian letters in Vazirmatn look like. Once the first three texts of a font family have
all been taken for ligatures, it takes every later text in that family for one without
measuring it (only a text with a half-space, U+200C, escapes: it never takes a text with
a format character for a ligature). On a Persian page almost no text was checked for
contrast. The portal uses no icon fonts (its icons are inline SVG), so `patch` makes the
function return false before axe runs. The same function decides which text
label-content-name-mismatch compares with an accessible name, so that rule, too, now
sees the Persian text. test_accessibility.py shows the unpatched axe passing a fixture
page of faint Persian text that the patched one flags.

Undecided text. Where axe cannot tell the background — text on a gradient (the header,
the landing page's hero), under a background image, partly covered (a stretched link) or
too short — it reports "incomplete", not a violation. `run` gives those a second
opinion: every colour the text can stand on is worked out from the backgrounds of the
element and its ancestors (each stop of each gradient layer, over what lies beneath),
and the text must reach the ratio axe asks for against each; anything else axe could
not decide fails, so a new kind of doubt is looked at, not passed.

Controls. axe has no rule for WCAG 1.4.11 (non-text contrast). `run` adds one for what
the portal's pages have: the outline of every field and tick box, the fill of a ticked
one and the icon of an icon-only button (the star and archive flags) must reach 3:1
against the colours around them.
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

VENDOR = Path(__file__).parent / "vendor" / "axe-core"
AXE_MIN_JS = VENDOR / "axe.min.js"
AXE_VERSION = "4.14.1"

# The WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

# axe files these under best practice, not under a success criterion; they check what
# 1.3.1 (structure), 2.4.1 (bypass blocks) and 2.4.6 (headings) ask of a page.
BEST_PRACTICE_RULES = (
    "landmark-one-main",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "landmark-no-duplicate-main",
    "landmark-banner-is-top-level",
    "landmark-contentinfo-is-top-level",
    "landmark-main-is-top-level",
    "landmark-complementary-is-top-level",
    "landmark-unique",
    "region",
    "page-has-heading-one",
    "heading-order",
    "empty-heading",
    "empty-table-header",
    "skip-link",
    "tabindex",
    "aria-allowed-role",
    "aria-dialog-name",
    "aria-text",
    "presentation-role-conflict",
    "label-title-only",
    "image-redundant-alt",
    "scope-attr-valid",
    "table-duplicate-name",
    "accesskeys",
    "meta-viewport-large",
)

# Rules of the tags above that the sweep does not run, each with its reason. None: every
# rule of WCAG 2.0/2.1/2.2 A and AA that axe has runs, its experimental ones included
# (p-as-heading, td-has-header, table-fake-caption, css-orientation-lock). A rule added
# here needs a comment saying why, and docs/accessibility.md lists it.
DISABLED_RULES: dict[str, str] = {}


class AxeSourceChanged(AssertionError):
    """The vendored axe no longer looks as `patched_source` expects."""


@cache
def source() -> str:
    text = AXE_MIN_JS.read_text(encoding="utf-8")
    if f"axe v{AXE_VERSION}" not in text[:200]:
        raise AxeSourceChanged(f"{AXE_MIN_JS} is not axe-core {AXE_VERSION}")
    return text


def icon_ligature_function(text: str) -> str:
    """The minified name of axe's `isIconLigature`: the source exports it as
    `isIconLigature:function(){return X}` (commons.text), and every caller calls `X`
    directly, so replacing the export from outside would change nothing."""
    exports = re.findall(r"isIconLigature:function\(\)\{return ([\w$]+)\}", text)
    if len(exports) != 1:
        raise AxeSourceChanged(f"isIconLigature exported {len(exports)} times")
    return exports[0]


def patch(text: str) -> str:
    """axe's source with `isIconLigature` answering false for every text: its
    definition `function X(e){` gets `return!1;` as its first statement. A source
    without exactly one such definition fails here, loudly, instead of being run
    unpatched and checking less."""
    definition = f"function {icon_ligature_function(text)}(e){{"
    if text.count(definition) != 1:
        raise AxeSourceChanged(f"{definition!r} found {text.count(definition)} times")
    return text.replace(definition, definition + "return!1;", 1)


@cache
def patched_source() -> str:
    return patch(source())


def script(*, patched: bool = True) -> str:
    """axe's source, marked with which axe it is. Given to `page.evaluate` or to a
    context's `add_init_script` (in every page before its own scripts, also through
    the DevTools protocol and so outside the CSP)."""
    kind = "patched" if patched else "published"
    return f"{patched_source() if patched else source()}\n;window.__payamAxe = {kind!r};"


def load(page: Page, *, patched: bool = True) -> None:
    """Put axe (patched, unless told otherwise) into the page's main frame."""
    page.evaluate(script(patched=patched))
    version = page.evaluate("() => window.axe && window.axe.version")
    assert version == AXE_VERSION, version


# Colours in the page: what an element stands on (every colour its backgrounds can show
# there), composed with alpha, and the WCAG contrast ratio.
COLOURS = r"""
function backgroundsOf(element) {
    const chain = [];
    for (let el = element; el; el = el.parentElement) chain.unshift(el);
    let colours = [[255, 255, 255, 1]];  // the canvas
    for (const el of chain) {
        const style = getComputedStyle(el);
        const colour = parseColor(style.backgroundColor);
        if (colour[3] > 0) colours = colours.map((below) => over(colour, below));
        // Layers are listed top first: paint the bottom one first.
        for (const layer of splitLayers(style.backgroundImage).reverse()) {
            if (!/gradient\(/.test(layer)) continue;  // an image (a select's arrow)
            const stops = (layer.match(/rgba?\([^)]*\)/g) || []).map(parseColor);
            colours = colours.flatMap((below) => stops.map((stop) => over(stop, below)));
        }
    }
    return colours;
}

function splitLayers(value) {
    if (!value || value === "none") return [];
    const layers = [];
    let depth = 0, start = 0;
    for (let i = 0; i < value.length; i++) {
        if (value[i] === "(") depth++;
        else if (value[i] === ")") depth--;
        else if (value[i] === "," && depth === 0) {
            layers.push(value.slice(start, i).trim());
            start = i + 1;
        }
    }
    layers.push(value.slice(start).trim());
    return layers;
}

function parseColor(value) {
    const parts = (value.match(/[\d.]+/g) || []).map(Number);
    return [parts[0] || 0, parts[1] || 0, parts[2] || 0, parts.length > 3 ? parts[3] : 1];
}

function over(top, below) {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat([1]);
}

function luminance(c) {
    const [r, g, b] = c.slice(0, 3).map((v) => {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
}

function hex(c) {
    return "#" + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
}
"""

RUN = r"""async ({tags, extra, disabled}) => {
    await document.fonts.ready;
    const rules = axe.getRules(tags).map((rule) => rule.ruleId)
        .concat(extra)
        .filter((id) => !disabled.includes(id));
    const results = await axe.run(document, {
        runOnly: {type: "rule", values: rules},
        resultTypes: ["violations", "incomplete"],
        elementRef: true,
    });
    const found = results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.map((node) => ({
            target: node.target.join(" "),
            html: node.html.slice(0, 300),
            summary: node.failureSummary,
        })),
    }));
    const undecided = results.incomplete
        .filter((result) => result.id === "color-contrast")
        .flatMap((result) => result.nodes)
        .map((node) => secondOpinion(node))
        .filter((node) => node !== null);
    if (undecided.length) {
        found.push({
            id: "color-contrast-undecided",
            impact: "serious",
            help: "Text that axe could not decide on is below the contrast it needs "
                + "against some colour of the backgrounds behind it",
            nodes: undecided,
        });
    }
    const faint = faintControls();
    if (faint.length) {
        found.push({
            id: "non-text-contrast",
            impact: "serious",
            help: "The outline of a field, a tick box, or an icon-only button must stand "
                + "out at 3:1 from what is around it (WCAG 1.4.11)",
            nodes: faint,
        });
    }
    return found;

    // --- WCAG 1.4.11, which axe does not check: a field is seen by its outline (against
    // what is inside and what is around it), a ticked box by its fill, an icon-only
    // button by its icon (drawn in currentColor). Disabled controls are exempt, and a
    // focused one (an autofocus field) is left to the focus indicator's own check.
    function faintControls() {
        const selector = ".form-control, .form-select, .form-check-input, .payam-flag";
        const out = [];
        for (const el of document.querySelectorAll(selector)) {
            if (el.disabled || !el.checkVisibility({visibilityProperty: true})) continue;
            // A focused control shows its focus indicator: the focus check's part.
            if (el.matches(":focus")) continue;
            const style = getComputedStyle(el);
            const icon = el.matches(".payam-flag");
            const ticked = el.matches(".form-check-input:checked");
            const mark = parseColor(
                icon ? style.color : ticked ? style.backgroundColor : style.borderTopColor
            );
            const grounds = backgroundsOf(el.parentElement);
            if (!icon && !ticked) grounds.push(...backgroundsOf(el));
            let worst = Infinity;
            let against = null;
            for (const ground of grounds) {
                const ratio = contrast(over(mark, ground), ground);
                if (ratio < worst) { worst = ratio; against = ground; }
            }
            if (worst + 0.005 >= 3) continue;
            out.push({
                target: el.id ? `#${el.id}` : el.className,
                html: el.outerHTML.slice(0, 300),
                summary: `contrast ${worst.toFixed(2)} (${hex(over(mark, against))} `
                    + `on ${hex(against)}), expected 3:1`,
            });
        }
        return out;
    }

    // --- text axe leaves undecided: on a gradient (the header, the landing page's
    // hero), under a background image, partly covered (a stretched link), too short.
    // Every colour the text can stand on is worked out from the backgrounds of the
    // element and its ancestors (each stop of each gradient layer, over what lies
    // below), and the text must reach the ratio axe asks for against each of them.
    function secondOpinion(node) {
        const data = (node.any[0] || {}).data || {};
        const known = ["bgGradient", "bgImage", "elmPartiallyObscured", "shortTextContent"];
        const where = {target: node.target.join(" "), html: node.html.slice(0, 300)};
        if (data.messageKey === "emptyValue") return null;  // an empty field: no text yet
        if (!known.includes(data.messageKey)) {
            return {...where, summary: `axe could not decide (${data.messageKey}): `
                + (node.any[0] || {}).message};
        }
        const needed = parseFloat(data.expectedContrastRatio);
        const style = getComputedStyle(node.element);
        const text = parseColor(style.color);
        let worst = Infinity;
        let against = null;
        for (const background of backgroundsOf(node.element)) {
            const ratio = contrast(over(text, background), background);
            if (ratio < worst) { worst = ratio; against = background; }
        }
        if (worst + 0.005 >= needed) return null;
        return {...where, summary: `contrast ${worst.toFixed(2)} (text ${hex(over(text, against))} `
            + `on ${hex(against)}), expected ${data.expectedContrastRatio}`};
    }

    %COLOURS%
}""".replace("%COLOURS%", COLOURS)


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    nodes: tuple[dict[str, str], ...]

    def describe(self) -> str:
        lines = [f"{self.rule} ({self.impact}): {self.help}"]
        for node in self.nodes[:8]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}  {node['html'][:160]}\n      {summary[:300]}")
        if len(self.nodes) > 8:
            lines.append(f"    … and {len(self.nodes) - 8} more")
        return "\n".join(lines)


def run(page: Page, *, patched: bool = True, tags: tuple[str, ...] = WCAG_TAGS) -> list[Violation]:
    """Every violation axe finds on the page as it is now (the axe asked for is loaded
    unless the page has it already)."""
    if page.evaluate("() => window.__payamAxe") != ("patched" if patched else "published"):
        load(page, patched=patched)
    found: list[dict[str, Any]] = page.evaluate(
        RUN,
        {"tags": list(tags), "extra": list(BEST_PRACTICE_RULES), "disabled": list(DISABLED_RULES)},
    )
    return [
        Violation(
            rule=item["id"],
            impact=item["impact"] or "",
            help=item["help"],
            nodes=tuple(item["nodes"]),
        )
        for item in found
    ]


def report(violations: list[Violation]) -> str:
    return "\n".join(violation.describe() for violation in violations) or "none"


def as_json(violations: list[Violation]) -> str:
    return json.dumps([v.__dict__ for v in violations], ensure_ascii=False, indent=1)
