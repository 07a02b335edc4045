"""Per-user settings and folders: config.toml and the default library location.

A config file is read twice over only in theory: `plain_config` checks the TOML data by hand
for what nearly every file holds (known keys, values of the right type and range) and
builds the settings without pydantic, which `stats`, `show` and `list` would otherwise load
for the WPM alone (about 100 ms of start-up). Anything else goes to the validated model,
`config_model()`, the reference, whose messages name what is wrong. tests/test_config.py
checks that the two agree on generated data.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evcards.core.syntax import CITE_FORMS, DEFAULT_WPM, HIGHLIGHT_COLORS, CiteForm, HighlightColor
from evcards.errors import ConfigError

MAX_INITIALS = 10
MAX_WPM = 1000
MAX_TEMPLATE = 500


@dataclass(frozen=True)
class Config:
    """What a debater sets once: their initials, reading speed and highlight colour, and how
    `evcards cut` writes cites out (a form, and an optional template for the full cite)."""

    initials: str | None = None
    wpm: int = DEFAULT_WPM
    highlight: str = "yellow"
    cite_format: str = "standard"
    cite_template: str | None = None


@functools.cache
def config_model() -> Any:
    """The config file's pydantic model (strict, no unknown keys): the reference that
    `plain_config` must agree with, and the source of every error message."""
    from pydantic import BaseModel, ConfigDict, Field

    class ConfigFile(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)

        initials: str | None = Field(default=None, max_length=MAX_INITIALS)
        wpm: int = Field(default=DEFAULT_WPM, gt=0, le=MAX_WPM)
        highlight: HighlightColor = "yellow"
        cite_format: CiteForm = "standard"
        cite_template: str | None = Field(default=None, max_length=MAX_TEMPLATE)

    return ConfigFile


def _short_str(value: object, most: int) -> bool:
    return type(value) is str and len(value) <= most


_CHECKS = {
    "initials": lambda v: _short_str(v, MAX_INITIALS),
    "wpm": lambda v: type(v) is int and 0 < v <= MAX_WPM,
    "highlight": lambda v: type(v) is str and v in HIGHLIGHT_COLORS,
    "cite_format": lambda v: type(v) is str and v in CITE_FORMS,
    "cite_template": lambda v: _short_str(v, MAX_TEMPLATE),
}


def plain_config(data: dict[str, Any]) -> Config | None:
    """The settings of TOML data the model would accept, checked by hand; None when any key
    or value is one it would refuse (or this check is unsure of)."""
    if not all(key in _CHECKS and _CHECKS[key](value) for key, value in data.items()):
        return None
    return Config(**data)


def validated_config(data: dict[str, Any], where: Path | str = "config") -> Config:
    """The settings of TOML data through the model: ConfigError saying what is wrong."""
    from pydantic import ValidationError

    from evcards.errors import format_validation

    try:
        found = config_model().model_validate(data)
    except ValidationError as e:
        raise ConfigError(f"{where}: {format_validation(e)}") from None
    return Config(**found.model_dump())


def home() -> Path | None:
    """EVCARDS_HOME, when set, holds both the config and the data (tests rely on it)."""
    value = os.environ.get("EVCARDS_HOME")
    return Path(value).expanduser() if value else None


def config_path() -> Path:
    base = home()
    if base is not None:
        return base / "config.toml"
    import platformdirs

    return platformdirs.user_config_path("evcards") / "config.toml"


def data_dir() -> Path:
    base = home()
    if base is not None:
        return base
    import platformdirs

    return platformdirs.user_data_path("evcards")


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        if path.stat().st_size > 1024 * 1024:
            raise ConfigError(f"{path}: over 1 MB, not a config file; fix or delete it")
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the config file ({e.strerror})") from None
    import tomllib  # only for a file that is there

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the config file is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML ({e}); fix or delete the file") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML (nested too deeply); fix or delete it") from None
    return plain_config(data) or validated_config(data, path)
