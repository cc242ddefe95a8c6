"""The README's example prints what the README says it prints."""

import contextlib
import io
import re
from pathlib import Path

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_readme_example_output_is_what_the_code_prints():
    code, printed = re.search(r"```python\n(.*?)```\n\nprints\n\n```text\n(.*?)```", README, re.S).groups()
    assert len(code.strip().splitlines()) == 5
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {})
    assert out.getvalue() == printed


def test_readme_gives_the_two_commands_first():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    assert [line.split()[:2] for line in first_block.splitlines()] == [["make", "app"], ["make", "test"]]


def test_readme_says_what_the_boxes_take_and_each_example_is_taken():
    from batchnet_core import MAX_MAGNITUDE, format_number, parse_number

    sentence = re.search(r"The box above each slider takes (.*?); the slider", README, re.S).group(1)
    examples = [text for text in re.findall(r"`([^`]+)`", sentence) if text not in ("-", "−")]
    assert examples == ["0.5", "0,5", "1/2", "2.5e3"]
    assert [parse_number(text) for text in examples] == [0.5, 0.5, 0.5, 2500]
    limits = f"from {format_number(-MAX_MAGNITUDE)} to {format_number(MAX_MAGNITUDE)} (10⁶)"
    assert limits in sentence.replace("\n", " ")
