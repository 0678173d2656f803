"""``python -m sandbox``: the demo's GitHub, Jira and PingCode trackers, seeded as ``--demo``
seeds them, served on loopback in the foreground. Prints their URLs, the secrets to export and
a ``config.toml`` pointing at them, so every command can be tried; stops cleanly on Ctrl-C or
SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from sandbox.demo.trackers import SECRETS, config_toml, demo_config, start_demo_trackers


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Serve the demo's sandbox trackers on loopback until Ctrl-C or SIGTERM.",
    )
    parser.add_argument(
        "--db", default="demo.db", help="store path written into the printed config"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    github, jira, worktile = trackers = start_demo_trackers()
    try:
        print(describe(github.base_url, jira.base_url, worktile.base_url), flush=True)
        print(config_toml(demo_config(github, jira, worktile), store_path=args.db), flush=True)
        print("# Serving until Ctrl-C.", flush=True)
        while not stop.wait(0.2):
            pass
    finally:
        for tracker in trackers:
            tracker.stop()
    print("# Sandbox trackers stopped.", file=sys.stderr, flush=True)
    return 0


def describe(github_url: str, jira_url: str, worktile_url: str) -> str:
    exports = [f"#   export {name}={value}" for name, value in SECRETS.items()]
    return "\n".join(
        [
            "# tracker-sync sandbox: the demo's trackers on loopback",
            f"#   GitHub    {github_url}   repo acme/portal",
            f"#   Jira      {jira_url}   project ACME (Cloud, bot@acme.example)",
            f"#   PingCode  {worktile_url}   project SCR",
            "#",
            "# In another shell, export the demo's secrets (sandbox-only values):",
            *exports,
            "# save the lines below as config.toml, and try any command, e.g.",
            "#   tracker-sync --config config.toml --dry-run",
            "",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
