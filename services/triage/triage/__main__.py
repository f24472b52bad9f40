"""`python -m triage [serve|migrate]`."""

from nwd_shared.cli import run_service
from triage.config import Settings
from triage.main import MIGRATIONS, create_app


def main() -> None:
    run_service(settings_type=Settings, create_app=create_app, migrations_dir=MIGRATIONS, default_port=8002)


if __name__ == "__main__":
    main()
