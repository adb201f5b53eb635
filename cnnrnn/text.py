"""Text preparation several chapters share."""

from __future__ import annotations


def clean_reviews(texts):
    """IMDB reviews with their HTML line breaks (``<br />``) turned into spaces."""
    return [text.replace("<br />", " ") for text in texts]
