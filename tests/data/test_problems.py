"""studio.data.problems: one sentence per problem, and the user's choice per kind."""
from __future__ import annotations

import numpy as np

from studio.data.problems import CHOICES, Problem, choice, problem, rows_of
from studio.wording.en import PROBLEMS as MESSAGES


def test_problem_counts_rows_and_picks_the_wording():
    p = problem("duplicate", "excluded", np.array([3, 7, 9, 11, 12, 20]), 6)
    assert isinstance(p, Problem)
    assert (p.kind, p.action, p.count, p.rows) == ("duplicate", "excluded", 6, [3, 7, 9, 11, 12])
    assert p.message == "6 rows repeat an earlier row exactly and were excluded."
    one = problem("duplicate", "excluded", [4])
    assert one.count == 1
    assert one.message == "1 row repeats an earlier row exactly and was excluded."


def test_params_fill_the_message_and_stay_in_the_problem():
    p = problem("unnamed_columns", "fixed", [2, 4], 2, columns="column_3..column_4",
                column="text", delimiter="comma")
    assert p.message == ("2 rows have text in unnamed columns column_3..column_4; joined back "
                         "into column text (the text held an unquoted comma).")
    assert p.params == {"columns": "column_3..column_4", "column": "text", "delimiter": "comma"}


def test_other_template_and_unknown_kind():
    p = problem("too_long", "warning", [1], 9, template="estimated", share=50.0, max_length=8,
                sample=4)
    assert p.message.startswith("About 9 examples (50.0%, measured on a sample of 4)")
    assert problem("odd_kind", "warning", [1, 2]).message == "2 rows: odd kind."


def test_every_message_is_one_sentence_with_its_count():
    for (kind, action), template in MESSAGES.items():
        assert template.rstrip().endswith("."), (kind, action)
        assert "{count}" in template or "{total}" in template or kind == "missing_column"


def test_choice_defaults_aliases_and_refusals():
    assert choice(None, "duplicate") == "exclude"
    assert choice({"duplicate": "keep"}, "duplicate") == "keep"
    assert choice({"unnamed_columns": "join"}, "unnamed_columns") == "fix"
    assert choice({"unnamed_columns": "exclude"}, "unnamed_columns") == "exclude"
    assert choice({"missing_label": "keep"}, "missing_label") == "exclude"    # not allowed
    assert choice({"duplicate": "DROP"}, "duplicate") == "exclude"
    assert CHOICES["unnamed_columns"][0] == "fix"


def test_rows_of():
    assert rows_of(np.array([True, False, True]), np.array([1, 2, 3])).tolist() == [1, 3]
