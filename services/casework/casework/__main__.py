"""`python -m casework [serve|migrate]`."""

from casework.config import Settings
from casework.main import MIGRATIONS, create_app
from nwd_shared.cli import run_service


def main() -> None:
    run_service(settings_type=Settings, create_app=create_app, migrations_dir=MIGRATIONS, default_port=8003)


if __name__ == "__main__":
    main()
