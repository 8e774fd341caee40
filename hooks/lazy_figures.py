"""Figures load when the reader scrolls to them, not all with the page.

Every ``<img>`` of a page's content gets ``loading="lazy"`` (the browser then
fetches it only near the visible part of the page) and ``decoding="async"``.
The browser tests measure a page's weight on first visit, then scroll through
it and check that every figure loads and has alt text.
"""

import re

IMAGE = re.compile(r"<img(?![^>]*\sloading=)")


def on_page_content(html, page, config, files):
    return IMAGE.sub('<img loading="lazy" decoding="async"', html)
