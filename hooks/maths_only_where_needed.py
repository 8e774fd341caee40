"""KaTeX (about 300 kB of script and styles) only on pages that have maths.

mkdocs.yml lists KaTeX's styles and scripts in ``extra_css`` and
``extra_javascript``, so Material puts them on every page. A page whose HTML has
no ``arithmatex`` element (what ``pymdownx.arithmatex`` makes of ``$...$`` and
``$$...$$``) gets them removed; nothing else would typeset there, and
``katex-render.js`` needs KaTeX, so it goes too. The browser tests check that
maths is typeset wherever there is some and that a page without maths loads no
KaTeX.
"""

import re

MATHS = 'class="arithmatex"'
KATEX_TAGS = re.compile(
    r'<link rel="stylesheet" href="[^"]*assets/katex/[^"]*">\s*'
    r'|<script src="[^"]*(?:assets/katex/|katex-render\.js)[^"]*"></script>\s*'
)


def on_post_page(output, page, config):
    if MATHS in output:
        return output
    return KATEX_TAGS.sub("", output)
