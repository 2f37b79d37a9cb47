from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiaoneng.demo.county import SCALES, build_county, demo_exists


def demo_password() -> str:
    """The demo accounts' password: generated once per data directory, never committed anywhere."""
    import secrets

    path = settings.DATA_DIR / "demo-password"
    if not path.exists():
        path.write_text("Demo-" + secrets.token_urlsafe(8) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


class Command(BaseCommand):
    help = "Build the demo county (departments, staff of every role, calendar, service catalogue). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="county")
        parser.add_argument("--seed", type=int, default=2026, help="same seed, same county")
        parser.add_argument(
            "--foundation-only", action="store_true",
            help="departments, staff, calendar and catalogue only (no cases, cards or complaints)",
        )

    def handle(self, *args, scale, seed, foundation_only=False, **opts):
        if demo_exists():
            self.stdout.write("演示县已存在，跳过生成。")
            return
        from xiaoneng.demo.county import FOUNDATION, STEP_LABELS

        def report(step: str, seconds: float) -> None:
            self.stdout.write(f"  {STEP_LABELS[step]} … {seconds:.1f} 秒")
            self.stdout.flush()

        size = {"small": "小规模", "county": "一个县", "province": "四个县"}.get(scale, scale)
        self.stdout.write(f"正在生成演示县（{size}）…")
        try:
            ctx = build_county(scale=scale, seed=seed, now=timezone.now(), password=demo_password(),
                               only=FOUNDATION if foundation_only else None, report=report)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(ctx.timings.values())  # each step's time is on its progress line above
        extra = "".join(f"，{n} 个{label}" for key, label in (("events", "办件事件"), ("complaints", "投诉"))
                        if (n := ctx.counts.get(key)))
        self.stdout.write(
            f"演示县已生成（{size}）：{len(ctx.departments)} 个部门，{len(ctx.staff)} 名工作人员{extra}，"
            f"用时 {total:.1f} 秒。"
        )
