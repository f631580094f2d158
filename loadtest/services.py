"""Start or stop the load test's private PostgreSQL cluster (never the shared one):

.venv/bin/python -m loadtest.services start --pg-port 5440 --pg-dir /tmp/svc-pg
.venv/bin/python -m loadtest.services stop --pg-dir /tmp/svc-pg
"""

import argparse
import tempfile
from pathlib import Path

from loadtest.cluster import PrivatePostgres


def main() -> None:
    parser = argparse.ArgumentParser(description="the load test's private PostgreSQL")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--pg-port", type=int, default=5440)
    parser.add_argument("--pg-dir", default=str(Path(tempfile.gettempdir()) / "svc-pg"))
    args = parser.parse_args()
    postgres = PrivatePostgres(Path(args.pg_dir), args.pg_port)
    if args.action == "start":
        postgres.init()
        postgres.start()
        print(f"PostgreSQL on 127.0.0.1:{args.pg_port} ({args.pg_dir})")
    else:
        postgres.stop()


if __name__ == "__main__":
    main()
