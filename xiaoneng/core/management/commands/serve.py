import os
import shutil
import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the production server (gunicorn, WSGI). Put nginx or another TLS proxy in front; see docs/operations.md."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("XIAONENG_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("XIAONENG_WORKERS", "0")) or None)
        parser.add_argument("--timeout", type=int, default=60)

    def handle(self, *args, bind, workers, timeout, **opts):
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
        if not gunicorn:
            raise CommandError("gunicorn is not installed in this environment")
        workers = workers or (os.cpu_count() or 1) * 2 + 1
        argv = [gunicorn, "config.wsgi:application", "--bind", bind, "--workers", str(workers),
                "--timeout", str(timeout), "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1"]
        self.stdout.write(f"xiaoneng serve: {' '.join(argv[1:])}")
        sys.stdout.flush()
        os.execv(gunicorn, argv)
