"""/api/v1/search and /api/v1/progress: public, no account; mounted in config/api.py."""

from ninja import Router

router = Router(tags=["公众门户"])

# ---- portal: GET /api/v1/search
from ninja import Schema  # noqa: E402

from xiaoneng.core.params import MAX_PAGE_NUMBER, parse_int  # noqa: E402
from xiaoneng.portal.search import search as _search  # noqa: E402

SEARCH_PAGE_SIZE = 10


class SearchResultOut(Schema):
    kind: str
    title: str
    url: str
    snippet: str


class SearchOut(Schema):
    results: list[SearchResultOut]
    total: int
    page: int
    page_size: int


@router.get("/search", response=SearchOut, summary="全站检索", url_name="search")
def search_api(request, q: str = "", kind: str = "", page: str = ""):
    """Search what is published (service guides, published complaint replies, bulletins, disclosure entries,
    disclosure-day check bulletins, published information-request answers). `q`: words separated by spaces
    (any of them matches; more matched first; title before body; newer first), at most 50 characters; `kind`:
    one of guide, reply, bulletin, disclosure, check, answer; `page`: 1, 2 … (10 a page). The snippet is plain
    text around the first hit."""
    number = parse_int(page, field="page", default=1, minimum=1, maximum=MAX_PAGE_NUMBER)
    r = _search(q, kinds=[kind] if kind else None, limit=SEARCH_PAGE_SIZE, offset=(number - 1) * SEARCH_PAGE_SIZE)
    return {"results": [{"kind": h.doc.kind, "title": h.doc.title, "url": h.doc.url, "snippet": h.snippet_text}
                        for h in r.hits], "total": r.total, "page": number, "page_size": SEARCH_PAGE_SIZE}
# ---- end portal
# ---- figures: GET /api/v1/progress
