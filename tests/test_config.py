"""The config file's light reader (`plain_config`) against the pydantic model it stands in
for: the same settings for every file the model accepts, and never a file it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from evcards.config import Config, config_model, load_config, plain_config
from evcards.core.syntax import HIGHLIGHT_COLORS
from evcards.errors import ConfigError

KEYS = ["initials", "wpm", "highlight", "cite_format", "cite_template", "colour", "Wpm"]
# Values near every edge the model checks: lengths 10 and 500, WPM 0, 1, 1000 and 1001,
# booleans (an int to Python, not to a strict model), floats, colours in other spellings.
values = st.one_of(
    st.integers(min_value=-5, max_value=1005),
    st.sampled_from([0, 1, 250, 1000, 1001, 2**70, True, False, 250.0, 1.5]),
    st.text(max_size=12),
    st.sampled_from([*HIGHLIGHT_COLORS, "Cyan", "darkgray", "none", ""]),
    st.sampled_from(["standard", "frontloaded", "two-line", "Standard", "two line"]),
    st.integers(min_value=495, max_value=505).map(lambda n: "x" * n),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.just("a"), st.integers(), max_size=1),
)
configs = st.dictionaries(st.sampled_from(KEYS), values, max_size=5)


def reference(data: dict[str, object]) -> Config | None:
    try:
        return Config(**config_model().model_validate(data).model_dump())
    except ValidationError:
        return None


@settings(max_examples=examples(1000), deadline=None)
@given(configs)
def test_the_light_reader_agrees_with_the_model(data: dict[str, object]) -> None:
    assert plain_config(data) == reference(data)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"wpm": 300, "initials": "ank", "highlight": "cyan"},
        {"cite_format": "two-line", "cite_template": "{author}, {date}"},
        {"initials": "x" * 10, "wpm": 1000},
    ],
)
def test_plain_files_need_no_model(data: dict[str, object]) -> None:
    found = plain_config(data)
    assert found is not None and found == reference(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("wpm = 0\n", "wpm - Input should be greater than 0"),
        ('wpm = "fast"\n', "wpm - Input should be a valid integer"),
        ("colour = 'cyan'\n", "colour - unknown key"),
        ("wpm = true\n", "wpm - Input should be a valid integer"),
    ],
)
def test_a_bad_file_gets_the_models_message(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_load_config_reads_a_written_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert load_config(path) == Config()
    path.write_text(tomli_w.dumps({"wpm": 180, "highlight": "green", "initials": "zz"}))
    assert load_config(path) == Config(initials="zz", wpm=180, highlight="green")
