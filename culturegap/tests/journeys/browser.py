"""What the journeys do in the browser besides clicking: keyboard-only moves, screenshots, and a
check that a page fits a phone's width."""

import os
from pathlib import Path

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))

# More than any page has focusable elements before its content (skip link, menu, eCoach box).
MAX_TABS = 80


def shot(page, name: str) -> Path:
    """A full-page screenshot named after the journey step and the viewport's width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"journey-{name}-{page.viewport_size['width']}.png"
    scrolled = page.evaluate("[window.scrollX, window.scrollY]")
    page.screenshot(path=path, full_page=True)
    # A full-page screenshot leaves Chromium with a scroll position to restore later, which it
    # did in the middle of the next click (between mouse down and up, so the click was lost):
    # put the scroll back now.
    page.evaluate("([x, y]) => window.scrollTo(x, y)", scrolled)
    return path


def has_focus(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def focus_description(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e ? `${e.tagName.toLowerCase()} ${e.id || e.name || ''} “${(e.innerText || e.value"
        " || '').slice(0, 40)}”` : 'nothing'; }"
    )


def tab_to(page, locator, *, limit: int = MAX_TABS, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until ``locator`` has the focus, as a keyboard user reaches it;
    fails if it is never reached, naming where the focus went."""
    key = "Shift+Tab" if backwards else "Tab"
    target = locator.element_handle()  # found once: cheaper to compare after each press
    for _ in range(limit):
        page.keyboard.press(key)
        focused = target.evaluate(
            "element => element.isConnected ? element === document.activeElement : null"
        )
        if focused is None:  # htmx redrew it meanwhile: find the new one
            target = locator.element_handle()
            focused = target.evaluate("element => element === document.activeElement")
        if focused:
            return
    raise AssertionError(
        f"{limit} presses of {key} never reached {locator}; the focus is on "
        f"{focus_description(page)}"
    )


def choose(page, radio, *, limit: int = 10) -> None:
    """With the focus on a radio group: Space checks the focused radio, then the down arrow
    moves the choice along the group (wrapping round) until ``radio`` is checked."""
    page.keyboard.press("Space")
    for _ in range(limit):
        if radio.is_checked():
            return
        page.keyboard.press("ArrowDown")
    assert radio.is_checked(), f"the arrow keys never reached {radio}"


def fits_the_screen(page) -> bool:
    """No sideways scrolling: the page is no wider than the viewport."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def tab_to_menu(page, name: str) -> None:
    """Moves the focus back to the main menu's link ``name`` by keyboard; on a phone, where the
    menu is folded, by way of the "Menu" fold, opened with Enter."""
    menu = page.get_by_role("navigation", name="Main")
    link = menu.get_by_role("link", name=name, exact=True)
    fold = menu.locator("summary", has_text="Menu")
    if fold.is_visible():
        tab_to(page, fold, backwards=True)
        page.keyboard.press("Enter")
        tab_to(page, link)
    else:
        tab_to(page, link, backwards=True)
