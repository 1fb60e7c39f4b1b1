"""What an operator is told about a mistyped name: a spider, an -a argument,
an extraction layer. Below the spiders and the commands, which both check
what an operator gave them."""

from __future__ import annotations

import difflib


def did_you_mean(word: str, choices) -> str:
    """ "did you mean X? " for the choice closest to a misspelt word, or ""."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean {close[0]}? " if close else ""
