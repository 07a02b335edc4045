"""Every error evcards expects a user to cause. The CLI turns these into one `Error:` line."""


class EvcardsError(Exception):
    """Base class: a problem with the user's input, files or environment, not a bug."""

    def __init__(self, message: str = "", detail: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        # Lines the CLI prints under the one `Error:` line, as they are: the input line a
        # mistake is on, and a caret under the mistake.
        self.detail = detail


class BadOption(EvcardsError):
    """Options that cannot work together; `option` names the one to change. Commands turn it
    into a usage error (exit 2) naming that option."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


class CardNotFound(EvcardsError):
    """No card matches the id, prefix or path the user gave."""


class AmbiguousCard(EvcardsError):
    """An id prefix matches more than one card."""


class InvalidCard(EvcardsError):
    """A card file or card data does not satisfy the card model."""


class MarkupError(EvcardsError):
    """Inline markup that cannot be parsed (unclosed mark, unknown directive); `detail` shows
    the line with a caret under the mistake."""


class InputFileError(EvcardsError):
    """An input file is missing, unreadable, not UTF-8 or not in the expected form."""


class ConfigError(EvcardsError):
    """The per-user config file is malformed."""


class LibraryError(EvcardsError):
    """The library folder cannot be used (missing, not a folder, duplicate ids)."""


def format_validation(e: object) -> str:
    """A pydantic ValidationError as 'field.path - message' items on one line."""
    items = []
    for err in e.errors():  # type: ignore[attr-defined]
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key; remove it or check its spelling"
        items.append(f"{loc} - {msg}")
    return "; ".join(items)


class FetchError(EvcardsError):
    """A web page could not be downloaded (network, HTTP status, timeout, size)."""


class CiteTemplateError(EvcardsError):
    """A cite template (config `cite_template` or --template) names an unknown field."""


class OutputFileError(EvcardsError):
    """An output file exists (and --force was not given), is a folder, or cannot be written."""


class SearchQueryError(EvcardsError):
    """A search query the engine cannot parse (raw mode), or filters that cannot work together."""


class InvalidSpeech(EvcardsError):
    """A speech file or a change to a speech that the speech format does not allow."""


class SpeechNotFound(EvcardsError):
    """No speech of that name, or no current speech when the command needs one."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a command that cleaned up first; the message says what was kept. (A
    KeyboardInterrupt, so that code which is not the CLI stops as it would for any Ctrl-C.)"""


class RemoteError(EvcardsError):
    """A remote (a team library on PostgreSQL) cannot be used: unknown name, bad URL, server
    unreachable or gone, schema missing or too new."""


class RemoteDenied(RemoteError):
    """The server refused what the role may not do (SQLSTATE 42501); the message names the
    role and what to ask for."""
