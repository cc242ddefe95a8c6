"""Print the Binder links for this repository, derived from its git remote.

    python scripts/binder_links.py [REMOTE_URL] [BRANCH]

Without arguments it reads ``git remote get-url origin`` and the current branch, so the links
stay right when the repository moves or is forked.
"""

from __future__ import annotations

import re
import subprocess
import sys
from urllib.parse import quote

BINDER = "https://mybinder.org/v2/gh"
PAGES = {
    "JupyterLab on the series": "lab/tree/notebooks/00_start_here.ipynb",
    "the app (Voila)": "voila/render/notebooks/02_batch_of_three.ipynb",
}


def github_repository(remote: str) -> str:
    """``owner/name`` from an https or ssh GitHub remote.

    >>> github_repository("git@github.com:ada/batchnet.git"), github_repository("https://github.com/ada/batchnet")
    ('ada/batchnet', 'ada/batchnet')
    """
    match = re.fullmatch(r"(?:https://|ssh://git@|git@)github\.com[:/]([\w.-]+)/([\w.-]+?)(?:\.git)?/?", remote.strip())
    if not match:
        raise ValueError(f"not a GitHub remote: {remote!r}; Binder links need a repository on GitHub")
    return f"{match.group(1)}/{match.group(2)}"


def binder_links(remote: str, branch: str = "main") -> dict[str, str]:
    """Launch links for each page, by what they open."""
    base = f"{BINDER}/{github_repository(remote)}/{quote(branch, safe='')}"
    return {label: f"{base}?urlpath={quote(path, safe='')}" for label, path in PAGES.items()}


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()


def main(argv: list[str]) -> int:
    try:
        remote = argv[0] if argv else _git("remote", "get-url", "origin")
        branch = argv[1] if len(argv) > 1 else _git("branch", "--show-current") or "main"
        links = binder_links(remote, branch)
    except (subprocess.CalledProcessError, ValueError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        print(f"no Binder links: {detail.strip()}", file=sys.stderr)
        return 1
    for label, url in links.items():
        print(f"[![Binder: {label}](https://mybinder.org/badge_logo.svg)]({url})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
