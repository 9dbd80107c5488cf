"""Where a content pack is wrong: its problems, each at a path of the file."""

from dataclasses import dataclass

# Path elements: field names and list indexes, from the top of the file.
PathElements = tuple[str | int, ...]


@dataclass(frozen=True)
class PackError:
    """One problem in a pack: where (a path such as ``curricula[0].modules[1]``, empty for the
    file as a whole), what is wrong in plain words, and the line when it is known."""

    path: str
    message: str
    line: int | None = None

    @property
    def where(self) -> str:
        return self.path or "(the file)"

    def __str__(self) -> str:
        line = f" (line {self.line})" if self.line else ""
        return f"{self.where}{line}: {self.message}"


def format_path(elements: PathElements) -> str:
    """``("curricula", 0, "modules", 2)`` → ``curricula[0].modules[2]``."""
    text = ""
    for element in elements:
        if isinstance(element, int):
            text += f"[{element}]"
        else:
            text += f".{element}" if text else str(element)
    return text


class ReadingStopped(Exception):
    """Reading stopped: the file cannot be checked further."""

    def __init__(self, error: PackError):
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class LocatedError:
    """A problem in a parsed document at a path of field names and list indexes; ``read_pack``
    looks up its line afterwards."""

    path_elements: PathElements
    message: str

    @property
    def path(self) -> str:
        return format_path(self.path_elements)
