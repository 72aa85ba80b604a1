"""The advisor's findings on the leaderboard: each run's stored findings (metrics.json) as a
few words in the "advisor" column, in English and Chinese, and in `leaderboard --json`."""
from __future__ import annotations

import sys
from pathlib import Path

from components import leaderboard_view
from helpers import make_job, train_in_process
from studio.advisor.finding import Finding
from studio.leaderboard import board
from studio.runs import Registry

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "leaderboard"))
from leaderboard_runs import fake_run, labelled  # noqa: E402

OVERFIT = Finding.make("overfitting", {"train.epochs": 2}, best_epoch=2, best_step=20,
                       best_loss=0.41, rise_pct=35, last_loss=0.55, epochs=2)
IGNORED = Finding.make("classes_ignored", classes=["negative"], support=12)


def with_findings(registry, run_id, found):
    folder = registry.folder(registry.get(run_id))
    folder.write_metrics({**folder.metrics(), "findings": [f.to_dict() for f in found]})


def test_each_run_shows_its_findings_in_both_languages(tmp_path):
    reg = Registry(tmp_path / "ws")
    bad = fake_run(reg, "overfit", labelled(100, set(range(60))))
    fake_run(reg, "healthy", labelled(100, set(range(90))))
    with_findings(reg, bad, [OVERFIT, IGNORED])

    frame = leaderboard_view.show(reg, None, "en")["table"]["value"]
    cells = dict(zip(frame["run"], frame["advisor"]))
    assert cells == {"★ healthy": "", "overfit": "overfitting after epoch 2; ignores negative"}
    assert list(frame.columns)[-1] == "run id"  # a row click still finds its run by the id

    zh = leaderboard_view.show(reg, None, "zh-CN")["table"]["value"]
    assert "第 2 轮后过拟合; 忽略了类别“negative”" in zh["诊断"].tolist()

    entry = next(e for e in board(reg)[0].to_dict()["runs"] if e["run_id"] == bad)
    assert [f["code"] for f in entry["findings"]] == ["overfitting", "classes_ignored"]
    assert entry["findings"][0]["params"]["best_epoch"] == 2


def test_a_real_run_with_lr_x30_says_so_on_the_leaderboard(data_dir, workspace):
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", "classification",
                   train__learning_rate=3e-2, train__max_steps=30, train__batch_size=8,
                   train__logging_steps=1)
    code, _run_dir, registry = train_in_process(cfg, workspace)
    assert code == 0
    frame = leaderboard_view.show(registry, None, "en")["table"]["value"]
    assert "LR too high (spikes)" in frame["advisor"][0]
    zh = leaderboard_view.show(registry, None, "zh-CN")["table"]["value"]
    assert "学习率太高（损失跳动）" in zh["诊断"][0]
