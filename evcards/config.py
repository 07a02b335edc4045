"""Per-user settings and folders: config.toml and the default library location."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evcards.core.models import DEFAULT_WPM, HighlightColor
from evcards.errors import ConfigError, format_validation


class Config(BaseModel):
    """What a debater sets once: their initials, reading speed and highlight colour."""

    model_config = ConfigDict(extra="forbid", strict=True)

    initials: str | None = Field(default=None, max_length=10)
    wpm: int = Field(default=DEFAULT_WPM, gt=0, le=1000)
    highlight: HighlightColor = "yellow"
    # How `evcards cut` writes cites out, and an optional template for the full cite
    cite_format: Literal["standard", "frontloaded", "two-line"] = "standard"
    cite_template: str | None = Field(default=None, max_length=500)


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
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the config file is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML ({e}); fix or delete the file") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML (nested too deeply); fix or delete it") from None
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        raise ConfigError(f"{path}: {format_validation(e)}") from None
