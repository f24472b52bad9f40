"""`python -m intake [serve|migrate]`."""

from intake.config import Settings
from intake.main import MIGRATIONS, create_app
from nwd_shared.cli import run_service


def main() -> None:
    run_service(settings_type=Settings, create_app=create_app, migrations_dir=MIGRATIONS, default_port=8001)


if __name__ == "__main__":
    main()
