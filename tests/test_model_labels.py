"""A tiny preset's label says "(untrained)" once, from the preset's flag (the CLI's
`models` list said "(untrained) (untrained)"; the page's table said it twice too)."""
from __future__ import annotations

import argparse

from components import model_step
from studio import run_commands
from studio.models import PRESETS


def test_the_cli_list_says_untrained_once(capsys):
    assert run_commands.cmd_models(argparse.Namespace(json=False)) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line}
    for name, preset in PRESETS.items():
        assert lines[name].count("untrained") == (1 if preset.untrained else 0), lines[name]


def test_the_page_table_says_untrained_once_in_each_language():
    for lang, word in (("en", "untrained"), ("zh-CN", "未训练")):
        rows = {r.split("|")[1].strip(" `"): r for r in model_step.preset_table(lang)
                .splitlines()[2:]}
        for name, preset in PRESETS.items():
            assert rows[name].count(word) == (1 if preset.untrained else 0), rows[name]
