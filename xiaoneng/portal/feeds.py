"""RSS 2.0 and Atom feeds of what the government publishes (django.contrib.syndication), at stable URLs:

    /feeds/disclosure.rss  /feeds/disclosure.atom   new disclosure entries (政务公开信息), newest first
    /feeds/bulletins.rss   /feeds/bulletins.atom    published evaluation bulletins (考核通报)
    /feeds/checks.rss      /feeds/checks.atom       published unified-disclosure-day bulletins (统一公开日通报)
    /feeds/reports.rss     /feeds/reports.atom      published annual disclosure reports (政府信息公开工作年度报告)

Only what is already public goes in: published entries (not superseded, not withdrawn, not dated in the future),
published bulletins, checks and reports; titles and descriptions in Chinese, plain text (the feed writer escapes
it), no personal data (entries, bulletins and checks name departments, never applicants). Times are the
county's (+08:00). Each item links to its public page: by URL name when the page exists, else by its stable path
(the pages of issue 14's other parts keep those paths)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

ITEMS = 50  # the newest this many: a reader polls, the archive is on the site
EXCERPT = 200  # characters of an entry's body in its description


def url_or(name: str, fallback: str, **kwargs) -> str:
    """The URL of `name`, or `fallback` when that page is not there (yet)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return fallback


def _site() -> str:
    name = (getattr(settings, "XIAONENG_COUNTY_NAME", "") or "").strip()
    return f"{name}人民政府" if name else "政务服务与效能监督平台"


def _excerpt(text: str) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT] + "…"


def public_entries():
    """Entries a citizen may read: published (the version in force), not dated in the future, of an active
    department whose catalogue is public (an accepted version in force) — the catalogue part's own rule for its
    public pages."""
    from xiaoneng.disclosure.models import Catalogue, DisclosureEntry, EntryStatus

    return DisclosureEntry.objects.filter(
        status=EntryStatus.PUBLISHED, published_at__lte=timezone.now(), department__is_active=True,
        department_id__in=Catalogue.objects.filter(current=True).values("department_id"))


class _Base(Feed):
    feed_type = Rss201rev2Feed
    language = "zh-cn"

    def item_pubdate(self, item):
        return timezone.localtime(item.published_at)

    def item_updateddate(self, item):
        return timezone.localtime(item.published_at)

    def item_guid(self, item):
        return self.item_link(item)

    def item_guid_is_permalink(self, item):
        return True


class DisclosureFeed(_Base):
    """政务公开信息: the newest published disclosure entries of every department."""

    description = "各部门、乡镇按公开目录发布的政府信息，按发布时间排列。"

    def title(self):
        return f"{_site()} · 政务公开信息"

    def link(self):
        return url_or("disclosure:public_index", "/disclosure/")

    def items(self):
        return public_entries().select_related("department", "item").order_by("-published_at", "-id")[:ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        head = f"【{item.department.name} · {item.item.name}】"
        return head + _excerpt(item.body)

    def item_link(self, item):
        return url_or("disclosure:public_entry", f"/disclosure/entries/{item.number}/", number=item.number)

    def item_author_name(self, item):
        return item.department.name

    def item_categories(self, item):
        return [item.item.get_category_display()]


class BulletinFeed(_Base):
    """考核通报: evaluation bulletins once published."""

    description = "机关效能考核结果通报（前列表扬、后进通报），按发布时间排列。"

    def title(self):
        return f"{_site()} · 效能考核通报"

    def link(self):
        return url_or("portal:bulletins", "/bulletins/")

    def items(self):
        from xiaoneng.evaluation.models import Bulletin

        return (Bulletin.objects.filter(published_at__isnull=False, published_at__lte=timezone.now())
                .order_by("-published_at", "-id")[:ITEMS])

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        content = item.content or {}
        return " ".join(x for x in (content.get("number", ""), _excerpt(content.get("intro", ""))) if x)

    def item_link(self, item):
        return url_or("portal:bulletin", f"/bulletins/{item.pk}/", pk=item.pk)


class CheckFeed(_Base):
    """统一公开日通报: each unified disclosure day's check, once published (当日督查、全区通报)."""

    description = "统一公开日当日督查的全区通报和限期整改要求，按发布时间排列。"

    def title(self):
        return f"{_site()} · 统一公开日通报"

    def link(self):
        return url_or("disclosure:check_public_list", "/disclosure/checks/")

    def items(self):
        from xiaoneng.disclosure.models import CheckStatus, DisclosureCheck

        return (DisclosureCheck.objects.filter(status=CheckStatus.PUBLISHED, published_at__isnull=False,
                                               published_at__lte=timezone.now())
                .order_by("-published_at", "-id")[:ITEMS])

    def item_title(self, item):
        return f"{item.year}年第{item.quarter}季度统一公开日（{item.date.month}月{item.date.day}日）检查通报"

    def item_description(self, item):
        return " ".join(x for x in (item.number, _excerpt(item.summary)) if x)

    def item_link(self, item):
        day = item.date.isoformat()
        return url_or("disclosure:check_public", f"/disclosure/checks/{day}/", date=day)


class ReportFeed(_Base):
    """政府信息公开工作年度报告: the annual reports once published (a republication is a new item date)."""

    description = "本级政府及各部门的政府信息公开工作年度报告。"

    def title(self):
        return f"{_site()} · 政府信息公开工作年度报告"

    def link(self):
        return "/"

    def items(self):
        from xiaoneng.disclosure.models import AnnualReport

        return (AnnualReport.objects.select_related("department")
                .filter(published_at__isnull=False, published_at__lte=timezone.now())
                .order_by("-published_at", "-id")[:ITEMS])

    def item_title(self, item):
        who = item.department.name if item.department_id else _site()
        return f"{who}{item.year}年政府信息公开工作年度报告"

    def item_description(self, item):
        return _excerpt((item.figures or {}).get("texts", {}).get("overview", ""))

    def item_link(self, item):
        scope = item.department.code if item.department_id else "county"
        return url_or("disclosure:public_report_detail", f"/disclosure/reports/{item.year}/{scope}/",
                      year=item.year, scope=scope)


def atom(feed_class):
    """The Atom twin of an RSS feed: same items, the description as the subtitle."""

    class AtomFeed(feed_class):
        feed_type = Atom1Feed

        def subtitle(self):
            return feed_class.description

    AtomFeed.__name__ = f"{feed_class.__name__}Atom"
    AtomFeed.__doc__ = feed_class.__doc__
    return AtomFeed
