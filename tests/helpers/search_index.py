"""The search index a build writes, read the way the search tests need it."""

import json
import re
from collections import Counter

WORD = re.compile(r"[a-z]{8,}")


def search_index(site_dir) -> list[dict]:
    return json.loads((site_dir / "search" / "search_index.json").read_text())["docs"]


def pages_with(word: str, docs: list[dict]) -> set[str]:
    """The pages (site-relative paths) whose indexed title or text holds the word."""
    return {
        doc["location"].split("#")[0]
        for doc in docs
        if word in f"{doc['title']} {doc['text']}".lower()
    }


def most_common_word(docs: list[dict]) -> str:
    words = Counter(w for doc in docs for w in WORD.findall(doc["text"].lower()))
    return words.most_common(1)[0][0]
