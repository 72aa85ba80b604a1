"""The findings as the page would show them, in English and Chinese."""
from __future__ import annotations

from advisor_data import falling, fake_run
from components.advice_view import findings_markdown, finding_text
from components.strings_zh import ZH_FINDINGS
from studio.advisor import findings
from studio.advisor.finding import SENTENCES


def test_every_finding_code_has_a_chinese_sentence_with_the_same_numbers():
    import string
    assert set(ZH_FINDINGS) == set(SENTENCES)
    for code, text in SENTENCES.items():
        names = {f[1] for f in string.Formatter().parse(text) if f[1]}
        # "{epochs_phrase}" is English's "3 epochs" (finding.shown): Chinese says {epochs} 轮
        names = {"epochs" if n == "epochs_phrase" else n for n in names}
        zh = {f[1] for f in string.Formatter().parse(ZH_FINDINGS[code]) if f[1]}
        assert zh == names, code


def test_findings_as_markdown(tmp_path):
    found = findings(fake_run(tmp_path, falling(), evals=[0.9, 0.6, 0.5, 0.55], epochs=4))
    en = findings_markdown(found, "en")
    assert "What the curves say" in en and found[0].sentence in en
    assert "Train again with: `train.epochs=3`" in en
    zh = findings_markdown([f.to_dict() for f in found], "zh-CN")
    assert "过拟合" in zh and "第 3 轮" in zh and "`train.epochs=3`" in zh
    assert finding_text({"code": "unknown", "sentence": "As is."}, "zh-CN") == "As is."
    assert "healthy" in findings_markdown([], "en")
