"""The catalogue of words: every key in both languages, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from vsla.words import AREAS, WORDS, Lang, word


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(WORDS))
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    texts = WORDS[key]
    assert set(texts) == set(Lang), f"{key!r} lacks {set(Lang) - set(texts)}"
    assert all(texts[lang].strip() for lang in Lang), f"{key!r} has an empty text"
    assert _placeholders(texts[Lang.VI]) == _placeholders(texts[Lang.EN]), key


def test_the_areas_share_no_key_and_make_up_the_catalogue() -> None:
    keys = [key for words in AREAS.values() for key in words]
    assert len(keys) == len(set(keys)) == len(WORDS)


def test_a_word_fills_its_placeholders_in_either_language() -> None:
    assert word("par", Lang.EN, days=30) == "PAR > 30 days"
    assert word("par", "vi", days=1) == "Nợ quá hạn > 1 ngày"  # type: ignore[arg-type]


def test_an_unknown_key_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        word("no such word", Lang.EN)
