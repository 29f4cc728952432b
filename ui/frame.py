"""The frame around every page: the tab title, navigation links that carry the settings, the share bar
("Copy link", and the lecture-mode switch), lecture mode's bar (pages, theme, QR code and short link) and the
page's look (lecture sizes, projector and dark themes, controls that stay on screen on a phone).

app.py calls ``start`` before the page and ``finish`` after it (also when the page stops early), so every
link drawn here carries the values the page's controls ended the run with.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from ui import look, state

SHORT_TITLES = {"overview": "Overview", "worst-case": "Worst case", "tradeoff": "Tradeoff",
                "stochastic-vs-deterministic": "Stochastic vs det.", "privacy": "Privacy", "your-data": "Your data",
                "robustness-vs-accuracy": "Accuracy", "certified-robustness": "Certified",
                "robust-statistics": "Robust statistics", "concentration-of-measure": "Concentration"}
COPY_HTML = """<button class="tl-copy-link" type="button" data-testid="copy-link"
  title="Copy this page's link: every setting is in it, so it opens this very view">Copy link</button>
<script>
(() => {
  for (const button of document.querySelectorAll("button.tl-copy-link")) {
    if (button.dataset.ready) continue;
    button.dataset.ready = "1";
    button.addEventListener("click", async () => {
      const link = window.location.href;
      let done = false;
      try { await navigator.clipboard.writeText(link); done = true; } catch (e) { done = false; }
      if (!done) {  // no clipboard API (a plain-http address in a lecture hall): the old way
        const area = document.createElement("textarea");
        area.value = link; document.body.appendChild(area); area.select();
        try { done = document.execCommand("copy"); } catch (e) { done = false; }
        area.remove();
      }
      button.textContent = done ? "Copied" : "Copy failed: use the address bar";
      setTimeout(() => { button.textContent = "Copy link"; }, 2500);
    });
  }
})();
</script>"""


class PageStopped(Exception):  # noqa: N818 - not an error: the page has said what it had to say
    """Raised by ``stop``: the page ends here, and app.py still writes the link and draws the navigation."""


def stop() -> None:
    """End the page here (after its sentence for bad input). Unlike st.stop(), which asks Streamlit to stop the
    whole run so that every later Streamlit call raises too, the frame's finish still runs: the link keeps
    the user's settings and the navigation is drawn."""
    raise PageStopped


def page_key(page) -> str:
    """The name state and tests use for a page: its URL path ('overview' for the default page)."""
    return page.url_path or "overview"


def start(pages: dict) -> object:
    """Resolve the page, read the link, title the tab, apply the look; returns the page to run."""
    page = st.navigation(pages, position="hidden")
    state.begin(page_key(page))
    st.set_page_config(page_title=f"{page.title} · Tradeoff Lab")
    look.apply(state.lecture_mode(), state.theme())
    run = st.session_state[state.RUN]
    run["pages"] = pages
    run["nav"] = st.container(key="lecture_bar") if state.lecture_mode() else st.sidebar.container(key="nav")
    return page


def header(title: str, caption: str = "") -> None:
    """The page's title and caption, then its share bar (filled in at the end of the run)."""
    st.title(title)
    if caption and not state.lecture_mode():  # in a hall the lecturer says it; the room goes to the chart
        st.caption(caption)
    if not state.lecture_mode():
        st.session_state[state.RUN]["share"] = st.container(horizontal=True, key="share",
                                                            vertical_alignment="center")


def share_box():
    """The share bar's container, for a note next to the Copy link button (None in lecture mode)."""
    return st.session_state[state.RUN].get("share")


def finish() -> None:
    """Write the link, then draw what carries it: navigation, the share bar, lecture mode's bar and QR code."""
    url = state.finish()
    run = st.session_state[state.RUN]
    if state.lecture_mode():
        _lecture_bar(run["nav"], run["pages"], url)
        if state.show_qr():
            _qr_card(url)
    else:
        _navigation(run["nav"], run["pages"], url)
        share = run.get("share") or st.container(horizontal=True, key="share", vertical_alignment="center")
        with share:
            copy_button()
            state.toggle(st, "Lecture mode", "lecture",
                         help="For a projector: big text and charts, one screen per page, a QR code for students.")


def copy_button() -> None:
    """A button that copies the address bar's link (always the current view: every run writes it)."""
    st.html(COPY_HTML, width="content", unsafe_allow_javascript=True)


def _navigation(box, pages: dict, url: dict) -> None:
    """Sidebar links to every page, each carrying the shared settings and that page's own remembered ones."""
    with box:
        for section, entries in pages.items():
            st.caption(section)
            for page in entries:
                st.page_link(page, query_params=state.link_to(page_key(page), url))


def _lecture_bar(box, pages: dict, url: dict) -> None:
    """Lecture mode's bar: the pages (short names), Copy link, the QR code switch, the theme, leave."""
    bar = box.container(horizontal=True, gap="small", key="lecture_links", vertical_alignment="center")
    with bar:
        for entries in pages.values():
            for page in entries:
                st.page_link(page, label=SHORT_TITLES.get(page_key(page), page.title),
                             query_params=state.link_to(page_key(page), url))
        copy_button()
        state.toggle(st, "QR code", "qr", help="A QR code and a short link to this view, for students (their link "
                                              "opens the view without lecture mode).")
        state.choice(st, "Theme", state.THEMES, "theme", "projector", False, horizontal=True,
                     label_visibility="collapsed")
        state.toggle(st, "Lecture mode", "lecture", help="Switch off to get every control back.")


def full_link(params: dict[str, str]) -> str:
    """This page's address with ``params`` as its query (relative when the browser's address is unknown)."""
    base = st.context.url or ""
    return f"{base}?{urlencode(params)}" if params else base


def short_link(params: dict[str, str]) -> str:
    """The link to type: no scheme, defaults dropped (see state.short_params)."""
    link = full_link(state.short_params(params))
    return link.split("://", 1)[-1]


def _qr_card(url: dict) -> None:
    """A QR code of this view's link (every value, lecture mode left out) and its short form, in a corner."""
    from ui.qr import qr_png

    link = full_link(state.view_params(url))
    with st.container(key="qr_card"):
        st.image(qr_png(link), width=280, caption="Scan for this view, or type:")
        st.markdown(f"`{short_link(url)}`")
