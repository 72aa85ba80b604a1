"""Only files this client uploaded reach the data code on a hosted studio."""
from __future__ import annotations

import pytest

from studio.errors import DataError
from studio.uploads import UploadBook, confine


@pytest.fixture
def cache(tmp_path):
    root = tmp_path / "gradio-cache"
    (root / "a1").mkdir(parents=True)
    (root / "b2").mkdir()
    mine, theirs = root / "a1" / "mine.csv", root / "b2" / "theirs.csv"
    mine.write_text("text,label\nhi,1\n")
    theirs.write_text("text,label\nsecret,1\n")
    book = UploadBook()
    book.record(str(mine), "client-A")
    book.record(str(theirs), "client-B")
    return root, mine, theirs, book


def test_own_upload_passes_others_and_server_files_do_not(cache, tmp_path):
    root, mine, theirs, book = cache
    ok = confine(str(mine), client="client-A", book=book, roots=[str(root)], hosted=True)
    assert ok == str(mine.resolve())
    answers = set()
    for path in (str(theirs), "/etc/passwd", str(root / "a1" / ".." / "b2" / "theirs.csv"),
                 str(root / "a1" / "nope.csv")):
        with pytest.raises(DataError) as e:
            confine(path, client="client-A", book=book, roots=[str(root)], hosted=True)
        assert e.value.code == "upload_not_yours"
        answers.add(str(e.value).split("'")[0])
    assert len(answers) == 1  # the same sentence whether the file exists or not


def test_symlink_out_of_the_cache_is_refused(cache, tmp_path):
    root, mine, _theirs, book = cache
    link = root / "a1" / "link.csv"
    link.symlink_to("/etc/passwd")
    book.record(str(link), "client-A")  # even if recorded, it resolves outside the cache
    with pytest.raises(DataError):
        confine(str(link), client="client-A", book=book, roots=[str(root)], hosted=True)


def test_samples_are_shared_and_local_mode_trusts_paths(cache, tmp_path):
    root, mine, theirs, book = cache
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "s.csv").write_text("a\n1\n")
    assert confine(str(samples / "s.csv"), client="x", book=book, roots=[str(root)],
                   hosted=True, extra_roots=[str(samples)])
    assert confine(str(theirs), client="x", book=None, roots=[], hosted=False)


def test_size_limit_has_its_sentence(cache):
    root, mine, _theirs, book = cache
    mine.write_bytes(b"x" * (2 * 2**20))
    with pytest.raises(DataError) as e:
        confine(str(mine), client="client-A", book=book, roots=[str(root)], hosted=True,
                max_mb=1)
    assert e.value.code == "upload_too_large" and "up to 1 MB" in str(e.value)


def test_book_is_bounded_and_shares_a_file_two_clients_uploaded():
    book = UploadBook(capacity=3)
    for i in range(5):
        book.record(f"/tmp/f{i}", "c")
    assert not book.uploaded_by("/tmp/f0", "c") and book.uploaded_by("/tmp/f4", "c")
    book.record("/tmp/f4", "d")                   # the same content from another browser
    assert book.uploaded_by("/tmp/f4", "c") and book.uploaded_by("/tmp/f4", "d")
    assert not book.uploaded_by("/tmp/f4", "e")
