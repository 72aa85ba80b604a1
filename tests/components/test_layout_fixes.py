"""Layout items of the browser walk: the confusion matrix's column labels clear of the
image's title badge and its digits readable on a saturated cell; the data preview's columns
sharing the width (an alpaca file's "output" on screen)."""
from __future__ import annotations

import pandas as pd

from components.data_step import preview, preview_widths
from components.results import BADGE, draw_matrix, ink


def test_digits_are_white_on_a_saturated_cell_and_black_on_a_light_one():
    assert ink((55, 55, 255)) == "white"    # the diagonal's peak
    assert ink((240, 240, 255)) == "black"
    assert ink((255, 255, 255)) == "black"


def test_the_column_labels_start_below_the_title_badge():
    img = draw_matrix([[5, 1], [0, 7]], ["a", "b"]).convert("L")
    band = img.crop((0, 0, img.width, BADGE))
    assert band.getextrema() == (255, 255)  # nothing drawn where gradio lays its label
    below = img.crop((0, BADGE, img.width, BADGE + 30))
    assert below.getextrema()[0] < 128      # the column labels are right under it


def test_the_peak_cell_shows_a_white_digit():
    img = draw_matrix([[9, 0], [0, 1]], ["a", "b"]).convert("RGB")
    blue = [(x, y) for x in range(img.width) for y in range(img.height)
            if img.getpixel((x, y)) == (55, 55, 255)]  # the peak cell's fill
    assert blue, "no saturated cell found"
    box = (min(x for x, _ in blue), min(y for _, y in blue),
           max(x for x, _ in blue), max(y for _, y in blue))
    cell = img.crop(box)
    assert any(min(cell.getpixel((x, y))) > 230  # the digit is white (black before)
               for x in range(cell.width) for y in range(cell.height))


def test_the_preview_columns_share_the_width():
    frame = pd.DataFrame({"instruction": ["Describe a process " * 10], "input": [""],
                          "output": ["Making crepes is easy " * 20]})
    head = preview(frame)
    widths = preview_widths(head)
    assert widths == ["33.33%"] * 3
