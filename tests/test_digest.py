"""`codeact_verify.digest.text_digest` is hashlib's SHA-256 of the UTF-8 text (lone surrogates
kept): the guest checks the host's transform against it, and a checked program goes by it."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from codeact_verify import verify
from codeact_verify.digest import text_digest
from codeact_verify.host.precompile import restrict_on_host


def _reference(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@given(st.text(alphabet=st.characters(codec=None)))  # any code point, lone surrogates included
def test_the_digest_is_sha256_of_the_text(text: str) -> None:
    assert text_digest(text) == _reference(text)


def test_edge_texts() -> None:
    for text in ("", "print(1+1)", "x = 'é€𝄞'\n", "\ud800", "a" * 1_000_000, "\r\n\t\x00"):
        assert text_digest(text) == _reference(text)


def test_the_host_transform_and_a_checked_program_carry_it() -> None:
    program = "names = ['Zoë', 'Łukasz']\nprint(len(names))\n"
    made = restrict_on_host(program)
    assert made is not None and made["digest"] == _reference(program)
    report = verify(program, [])
    assert report.ok and report.program is not None
    assert report.program.digest == _reference(program)
