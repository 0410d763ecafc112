"""Accessibility checks in the browser tests: one harness for any page a test has open.

``violations``: axe-core's rules. ``phone_problems``: what a person with a small phone,
a screen reader or a keyboard trips over that axe does not see (sideways scrolling,
Danish, names, reach by keyboard, and on a participant's phone 44 x 44 px targets).


axe-core comes with axe-playwright-python (pinned in requirements-dev.txt). It is
injected by evaluating its source, which a strict Content-Security-Policy forbids:
open the pages it checks in a context made with ``bypass_csp=True`` (see
``checking_context``); the pages themselves keep their policy everywhere else.
"""
from axe_playwright_python.sync_playwright import Axe

# The sizes every page is checked at: a small phone and a laptop.
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "laptop": {"width": 1280, "height": 800}}

_axe = Axe()


def checking_context(browser, viewport: str, **options):
    """A browser context that may inject axe-core, at one of VIEWPORTS."""
    phone = viewport == "phone"
    return browser.new_context(viewport=VIEWPORTS[viewport], is_mobile=phone, has_touch=phone,
                               device_scale_factor=2 if phone else 1, bypass_csp=True, **options)


def violations(page) -> list[str]:
    """Every axe-core violation on the page as it is now, one line each (rule, impact, where)."""
    results = _axe.run(page)
    found = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            found.append(f"{violation['id']} ({violation['impact']}): {' '.join(map(str, node['target']))}"
                         f" – {violation['help']}")
    return found


# Run in the page: the checks axe-core leaves out.
_PHONE_PROBLEMS = r"""(tapTargets) => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) problems.push(`scrolls sideways: ${doc.scrollWidth}px`);
  if (doc.lang !== "da") problems.push(`lang is ${doc.lang}`);
  const visible = (el) => el.checkVisibility({ visibilityProperty: true });
  const scrolledInto = (el) => {
    for (let box = el.parentElement; box; box = box.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(box).overflowX) && box.scrollWidth > box.clientWidth) {
        return box.getBoundingClientRect().right <= window.innerWidth + 1;
      }
    }
    return false;
  };
  const small = (el) => {
    const box = el.getBoundingClientRect();
    return box.width < 44 || box.height < 44 ? `${Math.round(box.width)}x${Math.round(box.height)}` : "";
  };
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!visible(el)) continue;
    const named = el.labels.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!named) problems.push(`no label: ${el.outerHTML.slice(0, 80)}`);
    if (tapTargets && el.type !== "checkbox" && small(el)) problems.push(`small target ${small(el)}: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const el of document.querySelectorAll("a[href], button, summary")) {
    // A chart's drawing is hidden from assistive technology; its links are repeated in its table.
    if (!visible(el) || el.closest('[aria-hidden="true"]')) continue;
    if (!(el.innerText.trim() || el.getAttribute("aria-label"))) problems.push(`no name: ${el.outerHTML.slice(0, 80)}`);
    if (el.tabIndex < 0) problems.push(`not reachable by keyboard: ${el.outerHTML.slice(0, 80)}`);
    // Beyond the right edge is fine inside a box that scrolls sideways on its own (a wide table).
    const right = el.getBoundingClientRect().right;
    if (right > window.innerWidth + 1 && !scrolledInto(el)) problems.push(`off screen: ${el.outerHTML.slice(0, 80)}`);
    // Links inside running text are exempt (WCAG 2.5.8), and the skip link shows only on keyboard focus;
    // everything a thumb aims at is not.
    const inText = el.matches(".skip-link") || (el.tagName === "A" && !el.matches(".button, .part-links a"));
    if (tapTargets && !inText && small(el)) problems.push(`small target ${small(el)}: ${el.outerHTML.slice(0, 80)}`);
  }
  // A word broken over two lines ("Fasthold/e") on a button.
  for (const button of document.querySelectorAll("button, .button")) {
    if (!visible(button)) continue;
    const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top)));
        if (lines.size > 1) problems.push(`word broken: "${match[0]}" in ${button.outerHTML.slice(0, 80)}`);
      }
    }
  }
  return problems;
}"""


def phone_problems(page, tap_targets: bool = False) -> list[str]:
    """What a small phone, a screen reader or a keyboard trips over; with ``tap_targets``, targets under 44 x 44 px."""
    return page.evaluate(_PHONE_PROBLEMS, tap_targets)
