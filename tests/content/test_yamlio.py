import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from content.yamlio import MAX_ALIASES, parse_yaml


def problems(text: bytes) -> list[str]:
    doc, found = parse_yaml("f.yaml", text)
    assert (doc is None) == bool(found)
    return [str(p) for p in found]


def test_core_schema_scalars_stay_text() -> None:
    doc, found = parse_yaml("f.yaml", b"a: no\nb: 10:30\nc: 2025-06-01\nd: [1, 2.5, true, ~]\n")
    assert not found
    assert doc is not None
    assert doc.data == {"a": "no", "b": "10:30", "c": "2025-06-01", "d": [1, 2.5, True, None]}


def test_positions_of_values_and_keys() -> None:
    doc, _ = parse_yaml("f.yaml", b"pois:\n  - slug: duomo\n    lat: 40.1\n")
    assert doc is not None
    assert doc.mark(("pois", 0, "lat")) == (doc.marks[("pois", 0, "lat")])
    assert (doc.mark(("pois", 0, "lat")).line, doc.mark(("pois", 0, "lat")).col) == (3, 10)
    assert (doc.key_mark(("pois", 0, "lat")).line, doc.key_mark(("pois", 0, "lat")).col) == (3, 5)
    assert doc.mark(("pois", 0, "missing", 3)) == doc.mark(("pois", 0))


def test_merge_keys_are_supported() -> None:
    doc, found = parse_yaml("f.yaml", b"base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n")
    assert not found
    assert doc is not None
    assert doc.data["c"] == {"x": 1, "y": 3}


def test_syntax_error() -> None:
    assert problems(b"a: [1, 2\nb: 3\n") == [
        "f.yaml:1:4: YAML syntax error: this '[' is not closed: end it with ']', separate its "
        "entries with ',' and put text containing ':' or ',' in quotes (noticed at line 2, "
        "column 2)",
        "f.yaml:2:2: YAML syntax error: unexpected ':' inside the '[' opened at line 1, column 4",
    ]


def test_unsafe_and_unknown_tags() -> None:
    assert problems(b"a: !!python/object/apply:os.system [ls]\nb: !pin x\n") == [
        "f.yaml:1:4: unsafe YAML tag '!!python/object/apply:os.system' is not allowed",
        "f.yaml:2:4: unknown YAML tag '!pin' is not allowed",
    ]


def test_duplicate_keys() -> None:
    assert problems(b"a: 1\nb: 2\na: 3\n") == [
        "f.yaml:3:1: duplicate key 'a' (first used on line 1)"
    ]


def test_alias_bomb_is_refused_without_expanding() -> None:
    lines = [b"l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 9):
        refs = b", ".join([b"*l%d" % (level - 1)] * 9)
        lines.append(b"l%d: &l%d [%s]" % (level, level, refs))
    assert problems(b"\n".join(lines)) == [
        "f.yaml:2:10: aliases expand this file to more than 100000 values (alias bomb?); "
        "write the content out instead"
    ]


def test_too_many_aliases() -> None:
    text = b"a: &a x\nb: [" + b", ".join([b"*a"] * (MAX_ALIASES + 1)) + b"]\n"
    assert problems(text) == [f"f.yaml:2:{5 + 4 * MAX_ALIASES}: more than 100 aliases in one file"]


def test_recursive_alias() -> None:
    assert problems(b"a: &a [1, *a]\n") == ["f.yaml:1:11: recursive alias: a value contains itself"]


def test_oversized_file() -> None:
    text = b"# " + b"x" * int(2.3 * 1024 * 1024) + b"\n"
    assert problems(text) == ["f.yaml:1:1: file is 2.3 MiB, the limit is 1 MiB"]
    just_over = b"#" * (1024 * 1024 + 1)
    assert problems(just_over) == [
        "f.yaml:1:1: file is 1048577 bytes, the limit is 1 MiB (1048576 bytes)"
    ]


def test_invalid_utf8_and_control_characters() -> None:
    assert problems(b"a: 1\nb: \x80x\n") == ["f.yaml:2:4: file is not valid UTF-8 text"]
    assert problems(b"a: 1\nb: x\x07\n") == [
        "f.yaml:2:5: character #x0007 is not allowed in YAML text"
    ]


def test_deep_nesting() -> None:
    assert problems(b"[" * 100) == ["f.yaml:1:41: values nested deeper than 40 levels"]


def test_several_documents() -> None:
    assert problems(b"a: 1\n---\nb: 2\n") == [
        "f.yaml:2:1: YAML syntax error: a second document starts here: keep one document per "
        "file (remove '---')"
    ]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(alphabet="ab:-[]{}&*!<>,'\"\n #?|", max_size=120))
def test_any_input_gives_data_or_positioned_problems(data: bytes | str) -> None:
    raw = data.encode() if isinstance(data, str) else data
    doc, found = parse_yaml("f.yaml", raw)
    assert (doc is None) == bool(found)
    assert all(p.line >= 1 and p.col >= 1 and p.file == "f.yaml" for p in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a key indented one space too little: the block's start and the line out of line
            b"pois:\n  - slug: a\n    kind: gate\n   lat: 4\n",
            [
                "f.yaml:2:3: YAML syntax error: the lines of this block are not lined up: "
                "line 4 is indented differently (noticed at line 4, column 4)",
                "f.yaml:4:4: YAML syntax error: wrong indentation: a new key that does not line "
                "up with the block started at line 2, column 3; indent it like the lines above it",
            ],
        ),
        (  # a quote never closed: where it opens, and where the file ran out
            b"pois:\n  - slug: 'a\n    kind: gate\n",
            [
                "f.yaml:2:11: YAML syntax error: the quote ' opened here is never closed "
                "(noticed at line 4, column 1)",
                "f.yaml:4:1: YAML syntax error: still inside the quoted text opened at line 2, "
                "column 11: close it with '",
            ],
        ),
        (  # a key without ':'
            b"pois:\n  - slug: a\n    kind gate\n    lat: 1\n",
            [
                "f.yaml:3:5: YAML syntax error: a key without ':': write 'key: value' "
                "(noticed at line 4, column 5)",
                "f.yaml:4:5: YAML syntax error: line 3 has a key without ':' "
                "(it starts at line 3, column 5)",
            ],
        ),
        (
            b"pois:\n\t- slug: a\n",
            ["f.yaml:2:1: YAML syntax error: a tab character: indent with spaces only"],
        ),
        (
            b"pois:\n  - slug: a\n    kind: gate: old\n",
            [
                "f.yaml:3:15: YAML syntax error: a ':' where no key can start: put text "
                "containing ': ' in quotes, or indent this line like the keys above it"
            ],
        ),
        (
            b"pois:\n  - *nope\n",
            [
                "f.yaml:2:5: YAML syntax error: the alias '*nope' refers to no anchor '&nope' "
                "written above it"
            ],
        ),
    ],
)
def test_syntax_errors_in_curator_words(text: bytes, expected: list[str]) -> None:
    assert problems(text) == expected
