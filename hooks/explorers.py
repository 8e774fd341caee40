"""Load an explorer's script, styles and data on the pages that have one.

An explorer is an interactive figure the reader drives. On a page it is a
placeholder holding the static figure (the fallback without JavaScript, in
print and in the notebooks)::

    <div class="book-explorer" data-explorer="broadcasting"
         data-explorer-config="snippets/broadcasting/explorer_examples.json" markdown>

    ![What the static figure shows](figures/broadcasting/incompatible.svg)

    </div>

For every page whose HTML contains ``data-explorer="<name>"`` this hook

- adds ``<script src=".../assets/explorers/<name>.js" defer>`` to the head,
  and ``<link rel="stylesheet" href=".../assets/explorers/<name>.css">`` when
  that file exists, with URLs relative to the page (the online build uses
  directory URLs, the offline one does not);
- replaces ``data-explorer-config="<path>"`` (relative to the repository, the
  folder of mkdocs.yml) by ``data-explorer-data="<the JSON file's text>"``:
  the same file the Python snippets and tests read, inlined because fetch()
  fails from file://.

The script is a classic script (Chromium refuses ES modules from file://)
that finds its placeholders by ``data-explorer`` and replaces the fallback.
"""

import html
import json
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

EXPLORER = re.compile(r"""data-explorer=(["'])(?P<name>[a-z0-9][a-z0-9_-]*)\1""")
CONFIG = re.compile(r"""data-explorer-config=(["'])(?P<path>[^"'<>]+)\1""")
ASSETS = "assets/explorers"


def explorer_names(output: str) -> list[str]:
    """The explorers a page's HTML holds, each once, in order."""
    return list(dict.fromkeys(m["name"] for m in EXPLORER.finditer(output)))


def inline_data(output: str, root: Path) -> str:
    """Each ``data-explorer-config="path"`` → ``data-explorer-data="json"``."""

    def replace(match: re.Match) -> str:
        path = (root / match["path"]).resolve()
        if root.resolve() not in path.parents or not path.is_file():
            raise PluginError(f"explorers: no data file {match['path']!r}")
        text = path.read_text(encoding="utf-8")
        try:
            compact = json.dumps(json.loads(text), separators=(",", ":"))
        except json.JSONDecodeError as error:
            raise PluginError(f"explorers: {match['path']}: {error}") from error
        return f'data-explorer-data="{html.escape(compact, quote=True)}"'

    return CONFIG.sub(replace, output)


def asset_tags(names: list[str], page_url: str, files) -> str:
    tags = []
    for name in names:
        script = f"{ASSETS}/{name}.js"
        if files.get_file_from_path(script) is None:
            raise PluginError(
                f"explorers: a page uses {name!r} but {script} is missing"
            )
        styles = f"{ASSETS}/{name}.css"
        if files.get_file_from_path(styles) is not None:
            href = html.escape(get_relative_url(styles, page_url))
            tags.append(f'<link rel="stylesheet" href="{href}">')
        src = html.escape(get_relative_url(script, page_url))
        tags.append(f'<script src="{src}" defer></script>')
    return "".join(tags)


_files = None


def on_files(files, config):
    global _files
    _files = files
    return files


def on_post_page(output, page, config):
    names = explorer_names(output)
    if not names:
        return output
    output = inline_data(output, Path(config["config_file_path"]).parent)
    tags = asset_tags(names, page.url, _files)
    head_end = output.find("</head>")
    if head_end < 0:
        raise PluginError(f"explorers: {page.file.src_uri} has no </head>")
    return output[:head_end] + tags + output[head_end:]
