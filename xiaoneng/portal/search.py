"""Search across what is published (全站检索): the index and the query.

The index (`SearchDocument`) is a copy of every published thing a citizen may search, kept by `search_sync`
(the worker runs it every minute, `xiaoneng search-reindex` on demand). Lower apps are not edited to call
the portal (the chain is one-way): the sync reads each source's published rows and applies the difference —
new rows inserted, changed rows updated, withdrawn rows deleted — in bulk, a few queries per kind.

What each kind copies (never personal data: only what the public pages already show):

    guide       an active service item's guide (current version): name; description, conditions, basis …
    reply       a complaint reply the office published in the mailbox: its masked public text only
    bulletin    a published evaluation bulletin: its text as generated
    disclosure  a published (not superseded, not withdrawn) disclosure entry whose time has come
    check       a published unified-disclosure-day check bulletin
    answer      an information request's answer published by the department (never the applicant)

The query (`search`) splits the words on spaces (half- and full-width); a document is a candidate when it
contains ANY of the words. Candidates come from the database's own text index — SQLite: FTS5 trigram MATCH
for words of three characters or more, LIKE on the table for shorter ones; PostgreSQL: ILIKE backed by the
pg_trgm GIN indexes — and are ranked here, in Python, by the same stated score on both databases:

    1. more distinct words matched first (a word matches when it occurs in the title or the body);
    2. then the score: 3 points per word found in the title, 1 per word found in the body;
    3. then newer (published_at) first; then the larger id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from xiaoneng.core.errors import DomainError
from xiaoneng.portal.models import SearchDocument, SearchKind

MAX_QUERY_CHARS = 50
TITLE_POINTS = 3
BODY_POINTS = 1
SNIPPET_BEFORE = 30
SNIPPET_CHARS = 120


# ============================================================================================ the index
@dataclass(frozen=True)
class Doc:
    """One document as a source offers it (what `SearchDocument` stores)."""

    kind: str
    key: str
    title: str
    body: str
    url: str
    department_name: str
    published_at: dt.datetime

    def row(self) -> tuple:
        return (self.title, self.body, self.url, self.department_name, self.published_at)


def _clip(text: str, n: int) -> str:
    return (text or "")[:n]


def _lines(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _guides(now: dt.datetime) -> Iterator[Doc]:
    from xiaoneng.catalog.models import ServiceItem

    items = (ServiceItem.objects.filter(is_active=True, current_version__isnull=False)
             .select_related("current_version", "department").order_by("id"))
    for item in items.iterator(chunk_size=500):
        v = item.current_version
        yield Doc(SearchKind.GUIDE, item.code, v.name,
                  _lines(v.description, v.conditions, v.legal_basis, v.result, v.location, v.office_hours),
                  reverse("catalog:guide_detail", args=[item.code]), item.department.name, v.valid_from)


def _replies(now: dt.datetime) -> Iterator[Doc]:
    from xiaoneng.complaints.models import Reply

    # What the public mailbox shows (complaints.selectors.mailbox_list): sent replies of complaints the office
    # made publishable, their masked public text — never the complaint's own text or the complainant.
    rows = (Reply.objects.filter(state=Reply.State.SENT, complaint__publishable=True, sent_at__isnull=False)
            .values_list("id", "public_text", "sent_at", "complaint__number", "complaint__department__name",
                         "complaint__category__name").order_by("id"))
    seen: set[str] = set()
    for pk, text, sent_at, number, dept, category in rows.iterator(chunk_size=500):
        if number in seen:  # the mailbox shows one reply per complaint: the first it finds
            continue
        seen.add(number)
        title = " · ".join(p for p in (dept or "", category or "") if p) or number
        yield Doc(SearchKind.REPLY, str(pk), title, text or "",
                  reverse("complaints:mailbox_detail", args=[number]), dept or "", sent_at)


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in ("score_id", "code", "period"):
                yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _bulletins(now: dt.datetime) -> Iterator[Doc]:
    from xiaoneng.evaluation.models import Bulletin

    rows = Bulletin.objects.filter(published_at__isnull=False, published_at__lte=now).order_by("id")
    for b in rows.iterator(chunk_size=200):
        content = dict(b.content or {})
        content.pop("title", None)
        yield Doc(SearchKind.BULLETIN, str(b.pk), b.title, _lines(*_strings(content)),
                  f"/bulletins/{b.pk}/", "", b.published_at)


def _entries(now: dt.datetime) -> Iterator[Doc]:
    from xiaoneng.disclosure.models import DisclosureEntry, EntryStatus

    rows = (DisclosureEntry.objects.filter(status=EntryStatus.PUBLISHED, published_at__lte=now)
            .values_list("number", "title", "body", "table", "published_at", "department__name").order_by("id"))
    for number, title, body, table, published_at, dept in rows.iterator(chunk_size=500):
        cells = " ".join(str(c) for row in (table or []) if isinstance(row, list) for c in row)
        yield Doc(SearchKind.DISCLOSURE, number, title, _lines(body, cells), f"/disclosure/entries/{number}/",
                  dept or "", published_at)


def _checks(now: dt.datetime) -> Iterator[Doc]:
    from xiaoneng.disclosure.models import CheckStatus, DisclosureCheck

    rows = DisclosureCheck.objects.filter(status=CheckStatus.PUBLISHED, published_at__isnull=False).order_by("id")
    for c in rows.iterator(chunk_size=200):
        title = f"{c.date:%Y年%m月%d日}".replace("年0", "年").replace("月0", "月") + "统一公开日督查通报"
        yield Doc(SearchKind.CHECK, c.date.isoformat(), title, _lines(c.number, c.summary),
                  f"/disclosure/checks/{c.date.isoformat()}/", "", c.published_at)


def _answers(now: dt.datetime) -> Iterator[Doc]:
    from xiaoneng.disclosure.models import InformationRequest, RequestStatus

    # Only the answer and what was asked for: never the applicant's name, number, phone or address.
    rows = (InformationRequest.objects
            .filter(status=RequestStatus.ANSWERED, publish_answer=True, answered_at__isnull=False)
            .values_list("number", "description", "answer_text", "answered_at", "department__name").order_by("id"))
    for number, description, answer, answered_at, dept in rows.iterator(chunk_size=500):
        asked = " ".join((description or "").split())
        title = f"关于“{asked[:40]}{'…' if len(asked) > 40 else ''}”的答复"
        yield Doc(SearchKind.ANSWER, number, title, answer or "", f"/information-requests/answers/{number}/",
                  dept or "", answered_at)


SOURCES = {
    SearchKind.GUIDE: _guides,
    SearchKind.REPLY: _replies,
    SearchKind.BULLETIN: _bulletins,
    SearchKind.DISCLOSURE: _entries,
    SearchKind.CHECK: _checks,
    SearchKind.ANSWER: _answers,
}


def _norm(doc: Doc) -> Doc:
    return Doc(str(doc.kind), _clip(doc.key, 64), _clip(doc.title, 300), doc.body or "", _clip(doc.url, 300),
               _clip(doc.department_name, 120), doc.published_at)


@transaction.atomic
def search_sync(*, now: dt.datetime, kinds: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """Bring the search index in step with what is published now: for each kind, insert what is new, update
    what changed, delete what was withdrawn. Run every minute by the worker (supervision/schedules.py) and by
    `xiaoneng search-reindex`. Returns per kind {"added", "changed", "removed", "total"}."""
    report: dict[str, dict[str, int]] = {}
    for kind in (kinds or SOURCES):
        kind = SearchKind(kind)
        wanted = {d.key: d for d in map(_norm, SOURCES[kind](now))}
        have = {key: (pk, (title, body, url, dept, at)) for pk, key, title, body, url, dept, at in
                SearchDocument.objects.filter(kind=kind).values_list(
                    "id", "key", "title", "body", "url", "department_name", "published_at")}
        new = [SearchDocument(kind=kind, key=k, title=d.title, body=d.body, url=d.url,
                              department_name=d.department_name, published_at=d.published_at)
               for k, d in wanted.items() if k not in have]
        changed = []
        for k, d in wanted.items():
            if k in have and have[k][1] != d.row():
                changed.append(SearchDocument(id=have[k][0], kind=kind, key=k, title=d.title, body=d.body, url=d.url,
                                              department_name=d.department_name, published_at=d.published_at))
        gone = [pk for k, (pk, _row) in have.items() if k not in wanted]
        if new:
            # Two workers may sync at the same minute: the second's inserts of the same keys are skipped, not an
            # IntegrityError (updates and deletes are the same whoever makes them).
            SearchDocument.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        if changed:
            SearchDocument.objects.bulk_update(changed, ["title", "body", "url", "department_name", "published_at"],
                                               batch_size=500)
        for i in range(0, len(gone), 500):
            SearchDocument.objects.filter(id__in=gone[i:i + 500]).delete()
        report[str(kind)] = {"added": len(new), "changed": len(changed), "removed": len(gone), "total": len(wanted)}
    return report


def search_sync_job(*, now: dt.datetime) -> dict[str, dict[str, int]]:
    """The worker's entry (supervision/schedules.py SCHEDULES): the whole index."""
    return search_sync(now=now)


# ============================================================================================ the query
@dataclass
class Hit:
    """One result: the document, its rank figures and the snippet (HTML with <mark>, and plain text)."""

    doc: SearchDocument
    matched: int
    score: int
    snippet_html: SafeString
    snippet_text: str

    @property
    def kind_label(self) -> str:
        return SearchKind(self.doc.kind).label


@dataclass
class Results:
    query: str
    terms: list[str]
    kinds: list[str]
    hits: list[Hit]
    total: int
    counts: dict[str, int]  # per kind, over all matches (before the kind filter)


def parse_query(q: str | None) -> list[str]:
    """The words of a query: split on half- and full-width spaces, duplicates (ignoring case) dropped, in order.
    Empty, blank or longer than MAX_QUERY_CHARS → DomainError naming the field `q`."""
    text = (q or "").strip()
    if not text.split():
        raise DomainError("请输入要检索的关键词。", field="q", code="invalid")
    if len(text) > MAX_QUERY_CHARS:
        raise DomainError(f"检索词不能超过{MAX_QUERY_CHARS}个字。", field="q", code="invalid")
    if "\x00" in text:
        raise DomainError("检索词含有无法识别的字符。", field="q", code="invalid")
    terms: list[str] = []
    seen: set[str] = set()
    for word in text.split():  # str.split() splits on U+3000 (the full-width space) too
        key = word.lower()
        if key not in seen:
            seen.add(key)
            terms.append(word)
    return terms


def parse_kinds(kinds: Iterable[str] | None) -> list[str]:
    out = []
    for k in kinds or ():
        k = (k or "").strip()
        if not k:
            continue
        if k not in SearchKind.values:
            raise DomainError("检索类别不正确。", field="kind", code="invalid")
        if k not in out:
            out.append(k)
    return out


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _candidate_ids(terms: list[str]) -> set[int]:
    """Ids of documents containing any of the words, through the database's text index."""
    ids: set[int] = set()
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            long_terms = [t for t in terms if len(t) >= 3]
            short_terms = [t for t in terms if len(t) < 3]
            if long_terms:
                match = " OR ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
                cur.execute("SELECT rowid FROM portal_searchdocument_fts WHERE portal_searchdocument_fts MATCH %s",
                            [match])
                ids.update(r[0] for r in cur.fetchall())
            if short_terms:
                where = " OR ".join(["title LIKE %s ESCAPE '\\' OR body LIKE %s ESCAPE '\\'"] * len(short_terms))
                params = [p for t in short_terms for p in (_like(t), _like(t))]
                cur.execute(f"SELECT id FROM portal_searchdocument WHERE {where}", params)  # noqa: S608
                ids.update(r[0] for r in cur.fetchall())
        else:
            where = " OR ".join(["title ILIKE %s OR body ILIKE %s"] * len(terms))
            params = [p for t in terms for p in (_like(t), _like(t))]
            cur.execute(f"SELECT id FROM portal_searchdocument WHERE {where}", params)  # noqa: S608 (fixed text)
            ids.update(r[0] for r in cur.fetchall())
    return ids


def _rank(title: str, body: str, terms_lower: list[str]) -> tuple[int, int]:
    t, b = title.lower(), body.lower()
    matched = score = 0
    for term in terms_lower:
        in_title, in_body = term in t, term in b
        if in_title or in_body:
            matched += 1
        score += (TITLE_POINTS if in_title else 0) + (BODY_POINTS if in_body else 0)
    return matched, score


def _mark(window: str, terms_lower: list[str]) -> str:
    """`window` escaped, with every occurrence of the words wrapped in <mark> (escape first, then mark)."""
    wlow = window.lower()
    spans: list[tuple[int, int]] = []
    for t in terms_lower:
        i = wlow.find(t)
        while i >= 0:
            spans.append((i, i + len(t)))
            i = wlow.find(t, i + len(t))
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    html, pos = [], 0
    for a, b in merged:
        html.append(str(escape(window[pos:a])))
        html.append("<mark>" + str(escape(window[a:b])) + "</mark>")
        pos = b
    html.append(str(escape(window[pos:])))
    return "".join(html)


def snippet(body: str, terms: list[str], *, width: int = SNIPPET_CHARS) -> tuple[SafeString, str]:
    """A window of `body` around the first hit of any word (its start when none), as HTML — the text escaped
    first, then each hit wrapped in <mark> — and as plain text."""
    text = " ".join((body or "").split())
    low = text.lower()
    terms_lower = [t.lower() for t in terms]
    firsts = [i for i in (low.find(t) for t in terms_lower) if i >= 0]
    start = max(0, min(firsts) - SNIPPET_BEFORE) if firsts else 0
    end = min(len(text), start + width)
    window = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + _mark(window, terms_lower) + suffix), prefix + window + suffix  # noqa: S308


def highlight(text: str, terms: list[str]) -> SafeString:
    """`text` escaped whole, each word's occurrences wrapped in <mark> (titles on the results page)."""
    return mark_safe(_mark(text or "", [t.lower() for t in terms]))  # noqa: S308 (escaped in _mark)


def search(q: str | None, *, kinds: Iterable[str] | None = None, limit: int = 10, offset: int = 0) -> Results:
    """Search the index (see the module's docstring for what matches and in which order). `kinds` filters by
    kind (all when empty); `counts` gives the matches per kind before that filter. Bad words or kinds →
    DomainError naming `q` or `kind`."""
    terms = parse_query(q)
    wanted_kinds = parse_kinds(kinds)
    terms_lower = [t.lower() for t in terms]
    ids = _candidate_ids(terms)
    ranked = []
    counts: dict[str, int] = {}
    if ids:
        rows = SearchDocument.objects.filter(id__in=ids).values_list("id", "kind", "title", "body", "published_at")
        for pk, kind, title, body, at in rows.iterator(chunk_size=1000):
            matched, score = _rank(title, body, terms_lower)
            if not matched:  # the database's folding may differ from Python's: the same rule on both
                continue
            counts[kind] = counts.get(kind, 0) + 1
            if wanted_kinds and kind not in wanted_kinds:
                continue
            ranked.append((-matched, -score, -at.timestamp(), -pk, pk, matched, score))
    ranked.sort()
    page = ranked[offset:offset + limit] if limit > 0 else []
    docs = SearchDocument.objects.in_bulk([r[4] for r in page])
    hits = []
    for r in page:
        doc = docs[r[4]]
        html, plain = snippet(doc.body, terms)
        hits.append(Hit(doc=doc, matched=r[5], score=r[6], snippet_html=html, snippet_text=plain))
    return Results(query=" ".join(terms), terms=terms, kinds=wanted_kinds, hits=hits, total=len(ranked),
                   counts=counts)
