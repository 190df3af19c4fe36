"""Copy examples/readme_example.py and what it prints into README.md (`make readme`)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    readme = ROOT / "README.md"
    script = ROOT / "examples" / "readme_example.py"
    code = script.read_text(encoding="utf-8").rstrip("\n")
    printed = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.rstrip("\n")
    text = readme.read_text(encoding="utf-8")
    text = re.sub(
        r"(## Example\n.*?```python\n).*?(\n```)",
        lambda m: m.group(1) + code + m.group(2),
        text,
        count=1,
        flags=re.S,
    )
    text = re.sub(
        r"(It prints:\n\n```text\n).*?(\n```)",
        lambda m: m.group(1) + printed + m.group(2),
        text,
        count=1,
        flags=re.S,
    )
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
