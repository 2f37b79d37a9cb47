"""The portal's own data: the search index.

A `SearchDocument` is one published thing a citizen may search (a service guide, a published complaint reply,
a bulletin, a disclosure entry, a published information-request answer), copied from its app when published and
removed when withdrawn; `services/search.py` keeps it and `selectors/search` reads it through the database's own
text index (SQLite FTS5 trigram, PostgreSQL pg_trgm) with a short-query fallback, the same answers on both."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchKind(models.TextChoices):
    GUIDE = "guide", _("办事指南")
    REPLY = "reply", _("投诉答复")
    BULLETIN = "bulletin", _("考核通报")
    DISCLOSURE = "disclosure", _("政务公开")
    CHECK = "check", _("公开日通报")
    ANSWER = "answer", _("依申请公开答复")


class SearchDocument(models.Model):
    """One searchable published thing: `kind` + `key` (its app's stable id) unique; `title`, `body` (plain
    text), `url` (its public page), `department_name`, `published_at` (newest first among equals)."""

    kind = models.CharField(_("类别"), max_length=12, choices=SearchKind.choices)
    key = models.CharField(max_length=64)
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=300)
    department_name = models.CharField(_("部门"), max_length=120, blank=True)
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("检索内容")
        verbose_name_plural = _("检索内容")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="portal_searchdoc_key")]

    def __str__(self) -> str:
        return self.title
