"""The frame around every page: the tab title, navigation links that carry the settings, the share bar
("Copy link", and the lecture-mode switch), lecture mode's bar (pages, theme, QR code and short link) and the
page's look (lecture sizes, projector and dark themes, controls that stay on screen on a phone).

app.py calls ``start`` before the page and ``finish`` after it (also when the page stops early), so every
link drawn here carries the values the page's controls ended the run with.

The live part. A slider move on an Explore page changes only what eps shapes, yet a full run also rebuilds the
page's frame, its problem editor and every widget above the charts (about a third of a move's server CPU, and in a
lecture hall the CPU is what the students queue for). ``live(view, setup)`` draws the page's tail, eps slider
included, as an ``st.fragment``: a move inside it reruns only the fragment. The navigation links and the share bar
are drawn from inside it (``finish`` at its end, written through Streamlit's outside-container wrappers into the
sidebar and the share bar), so they follow every move; a control outside it (the example, the cost, ...) reruns
the whole page as before; and a switch that changes the page's look (lecture mode, its theme, the QR code) asks
for a full run, since the frame is drawn outside the fragment.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

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


def guarded(draw, name: str, *args) -> None:
    """``draw(*args)``, with the app's sentence instead of a traceback when it fails (the log keeps the details)
    and nothing said when the page stopped itself (``stop``)."""
    try:
        draw(*args)
    except PageStopped:
        pass  # the page said why it stopped (a bad table, bad scores): the link and navigation still follow
    except Exception as error:  # noqa: BLE001 - the page's own sentence instead of a traceback; the log keeps it
        logging.getLogger("tradeoff_lab").exception("page %s failed", name)
        st.error(f"This page met a problem it did not expect ({type(error).__name__}). Your table and settings "
                 f"are kept: change a setting, or reload the page. The details are in the server's log.")


def fragment_rerun() -> bool:
    """True when this run reruns only a fragment (a control of the page's live part moved)."""
    return bool(getattr(get_script_run_ctx(), "fragment_ids_this_run", None))


def live(view, setup) -> None:
    """Draw ``view(setup)``, the page's tail from its eps slider on, as a fragment (see the module docstring),
    then the links and share bar from inside it. It must be the last thing the page draws."""

    @st.fragment
    def live_part() -> None:
        again = fragment_rerun()
        if again:
            state.resume()  # the widgets are ahead of the link now: they win (ui/state.py)
        try:
            guarded(view, state.current_page(), setup)
        finally:
            finish()
        if again and state.look_changed():
            st.rerun()  # lecture mode, its theme or the QR code switched: the frame outside is drawn again

    live_part()


def page_key(page) -> str:
    """The name state and tests use for a page: its URL path ('overview' for the default page)."""
    return page.url_path or "overview"


def start(pages: dict) -> object:
    """Resolve the page, read the link, title the tab, apply the look; returns the page to run."""
    page = st.navigation(pages, position="hidden")
    state.begin(page_key(page))
    st.set_page_config(page_title=f"{page.title} · Tradeoff Lab", page_icon=":material/balance:", layout="wide")
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
    """Write the link, then draw what carries it: navigation, the share bar, lecture mode's bar and QR code.

    Once a run: a page's live part (``live``) calls it from inside its fragment, and app.py's call then does
    nothing."""
    run = st.session_state[state.RUN]
    if run.get("finished") and not fragment_rerun():
        return
    run["finished"] = True
    url = state.finish()
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
