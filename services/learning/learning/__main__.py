"""`python -m learning [serve|migrate]`."""

from learning.config import Settings
from learning.main import MIGRATIONS, create_app
from nwd_shared.cli import run_service


def main() -> None:
    run_service(settings_type=Settings, create_app=create_app, migrations_dir=MIGRATIONS, default_port=8005)


if __name__ == "__main__":
    main()
