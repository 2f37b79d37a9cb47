import os

from django.core.management import call_command
from django.core.management.base import BaseCommand

from xiaoneng.demo.county import sample_logins
from xiaoneng.demo.management.commands.seed_demo import demo_password


class Command(BaseCommand):
    help = "Migrate, build the demo county if missing, print log-ins for each role, and serve on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--scale", default="county")
        parser.add_argument("--no-serve", action="store_true", help="prepare only, do not start the server")

    def handle(self, *args, addr, scale, no_serve, **opts):
        from django.conf import settings

        # The demo's text messages go to a file in the data dir instead of flooding this terminal.
        settings.XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.FileBackend"
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", scale=scale)
        password = demo_password()
        self.stdout.write("")
        self.stdout.write("=" * 64)
        self.stdout.write(f" 行政效能电子监察平台 演示县  http://{addr}/")
        self.stdout.write(f" 工作人员登录 http://{addr}/accounts/login/   密码（所有演示账户）：{password}")
        from xiaoneng.accounts.models import Staff

        existing = set(Staff.objects.filter(username__in=[u for _, u in sample_logins()]).values_list("username", flat=True))
        for role, username in sample_logins():
            if username in existing:
                self.stdout.write(f"   {role:<28} {username}")
        self.stdout.write(" 其他账户：<部门编码小写>_head / _h1 / _win，例如 qy_gaj_h1（公安局承办人）")
        self.stdout.write(f" 演示邮件与短信写入：{settings.DATA_DIR / 'outbox'}")
        self.stdout.write("=" * 64)
        if no_serve:
            return
        # The demo is a single local process: Django's server without auto-reload, static files by WhiteNoise.
        os.environ.setdefault("XIAONENG_DEMO", "1")
        call_command("runserver", addr, use_reloader=False, use_threading=True)
