"""What the pipeline hands back: an Inspection of one file (the Data step, `studio inspect`) and
the JobData a training job trains on.

A big delimited file is inspected from its first rows and one streaming pass over the rest
(studio.data.stream); its StreamedInspection holds only those first rows in `frame` and reads
its usable `examples` from the file the first time someone asks for them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable

import pandas as pd

from studio.data.normalise import jsonable
from studio.data.problems import Problem

PREVIEW_ROWS = 20


# ---- results -------------------------------------------------------------------------------

@dataclass
class Inspection:
    path: str
    format: str
    encoding: str
    layout: str
    columns: list[str]
    roles: dict[str, str]
    task: str
    labels: dict[str, int]
    rows: int
    excluded: list[dict]
    problems: list[Problem]
    frame: pd.DataFrame = field(repr=False)
    examples: pd.DataFrame = field(repr=False)
    sheets: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)     # delimiter, header, sheet: how it was read

    def head_examples(self, n: int) -> pd.DataFrame:
        """The first `n` usable examples, without reading a big file whole (the Data step's
        language guess needs a few hundred, not a million)."""
        return self.examples.head(n)

    def chinese(self) -> bool:
        """Whether the data is Chinese (from its first 200 examples): the suggested model
        then knows Chinese (studio.models.suggest)."""
        from studio.data.language import chinese
        return chinese(self.head_examples(200))

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.action == "blocking"]

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in ("path", "format", "encoding", "layout", "columns",
                                             "roles", "task", "labels", "rows", "sheets")}
        out["details"] = jsonable(self.details)
        out["excluded"] = jsonable(self.excluded)
        out["problems"] = [jsonable(asdict(p)) for p in self.problems]
        out["preview"] = jsonable(self.frame.head(PREVIEW_ROWS).to_dict("records"))
        return out


@dataclass
class JobData:
    task: str
    train: pd.DataFrame
    validation: pd.DataFrame
    labels: list[str]
    roles: dict[str, str]
    inspection: Inspection
    validation_inspection: Inspection | None = None


class StreamedInspection(Inspection):
    """An Inspection of a big file: `frame` holds its first rows (enough for the preview and the
    role guesses), counts and problems cover every row, `usable` holds the label and row number
    of each usable row, and `reader(rows, ...)` reads the examples of given row numbers from
    the file. `examples` (all of them) are read when first asked for, then kept until
    `release_examples`."""

    reader: Callable[..., list[pd.DataFrame]] | None = None
    usable: pd.DataFrame | None = None

    @property
    def examples(self) -> pd.DataFrame:
        if self.__dict__.get("_examples") is None and self.reader is not None:
            self.__dict__["_examples"] = self.reader(self.usable["_row"].to_numpy())[0]
        return self.__dict__.get("_examples")

    @examples.setter
    def examples(self, value) -> None:
        self.__dict__["_examples"] = value

    def head_examples(self, n: int) -> pd.DataFrame:
        if self.__dict__.get("_examples") is not None or self.reader is None:
            return self.examples.head(n)
        return self.reader(self.usable["_row"].to_numpy()[:n])[0]

    def release_examples(self) -> None:
        """Forget the examples read so far; they are read again when next asked for."""
        self.__dict__["_examples"] = None
