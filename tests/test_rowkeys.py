from studio.rowkeys import row_keys


def test_keys_depend_on_content_not_position_and_repeats_are_numbered():
    a = row_keys(["good film", "bad film", "good film"])
    b = row_keys(["bad film", "good film"])
    assert a[0] == b[1] and a[1] == b[0]
    assert a[2] == a[0] + "#2"
    assert len(set(a)) == 3
