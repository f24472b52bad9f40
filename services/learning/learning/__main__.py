"""`python -m learning [serve|migrate|rebuild]`."""

import asyncio
import sys

from learning.config import Settings
from learning.main import MIGRATIONS, create_app
from nwd_shared.cli import run_service


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["rebuild"]:
        from learning.rebuild import rebuild

        done = asyncio.run(rebuild(Settings()))
        print(f"learning projections rebuilt from {done.records} records: "
              + ", ".join(f"{topic} {n}" for topic, n in done.by_topic.items()))
        return
    run_service(settings_type=Settings, create_app=create_app, migrations_dir=MIGRATIONS,
                default_port=8005, argv=args)


if __name__ == "__main__":
    main()
