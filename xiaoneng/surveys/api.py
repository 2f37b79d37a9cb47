"""民主评议: the JSON API under /api/v1/.

- `GET /api/v1/surveys/{id}/results`: a survey's results. Staff sessions of the supervision office and
  leaders (效能监察员, 领导) get everything: per-department scores with group breakdown and flags, and counts per
  question (free text not included: it is read on the staff page, masked). A department system's token gets
  its OWN department's score and group breakdown only, and only once the survey has closed (a running score
  could be used to lobby respondents); other roles 403; an unknown survey, a draft, or (token) a survey not
  closed yet or not rating its department: 404.
- `POST /api/v1/surveys/{id}/responses`: a response from another channel (a kiosk, a department's app), no
  log-in, through the same intake service as the public page (`services.response_submit`): body
  `{"code": "邀请码"} or {"group": "public"}, "answers": {"<question id>": value}` where a value is an option id
  (single), a list of option ids (multiple), 1-5 (scale), `{"<department id>": 1-5}` (matrix) or text;
  `phone` and `sms_code` where the survey verifies phones. 201 `{"id", "group"}`; 400/409/429 naming the field
  in Chinese; nothing stored on any error. Rate-limited per address as the public link.
"""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.utils import timezone
from ninja import Router

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.auth import token_or_session
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.core.jsonbody import json_object
from xiaoneng.core.request import client_ip

from . import selectors as S
from . import services
from .models import ResponseChannel, Survey

router = Router(tags=["民主评议"])


def _survey(survey_id: str) -> Survey:
    if not str(survey_id).isdigit() or len(str(survey_id)) > 12:
        raise Http404
    s = Survey.objects.select_related("current_version").filter(pk=survey_id, status=Survey.Status.PUBLISHED).first()
    if s is None:
        raise Http404
    return s


def _num(x):
    return None if x is None else float(x)


def _dept(d) -> dict:
    return {"code": d.department.code, "name": d.department.name, "score": _num(d.score), "responses": d.responses,
            "groups": [{"code": g.group.code, "name": g.group.name, "weight": float(g.weight),
                        "effective_weight": round(float(g.effective_weight), 6), "mean": _num(g.mean),
                        "responses": g.responses, "counted": g.counted, "flag": g.flag} for g in d.groups],
            "flags": d.flags}


@router.get("/surveys/{survey_id}/results", auth=token_or_session, summary="问卷评议结果")
def survey_results(request, survey_id: str):
    """Scores per department (0-100, see `score_definition`) with the group breakdown; counts per question."""
    client = getattr(request, "api_client", None)
    if client is None and not request.auth.has_any_role(R.SUPERVISOR, R.LEADER):
        raise NotPermitted()
    s = _survey(survey_id)
    scores = S.department_scores(s)
    if client is not None:
        if s.closes_at > timezone.now():
            raise Http404
        scores = [d for d in scores if d.department.pk == client.department_id]
        if not scores:
            raise Http404
        questions = []
    else:
        questions = [{"id": item["question"].pk, "text": item["question"].text, "kind": item["question"].kind,
                      "answered": item["answered"],
                      "rows": [{"label": r["label"], "count": r["count"], "pct": r.get("pct"),
                                "mean": _num(r.get("mean"))} for r in item["rows"]]}
                     for item in (S.question_results(s, s.current_version) if s.current_version else [])]
    return {"survey": {"id": s.pk, "title": s.title, "opens_at": s.opens_at, "closes_at": s.closes_at,
                       "responses": s.responses.count()},
            "score_definition": S.score_definition(), "departments": [_dept(d) for d in scores],
            "questions": questions}


def _body(request) -> dict:
    return json_object(request)


def _text(data: dict, key: str, limit: int) -> str:
    v = data.get(key, "")
    if v is None:
        return ""
    if not isinstance(v, str):
        raise DomainError(f"{key} 应为文字。", field=key)
    return v[:limit]


@router.post("/surveys/{survey_id}/responses", auth=None, summary="提交答卷",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "type": "object", "required": ["answers"],
                 "properties": {"code": {"type": "string"}, "group": {"type": "string"},
                                "phone": {"type": "string"}, "sms_code": {"type": "string"},
                                "answers": {"type": "object"}}}}}}})
def response_create(request, survey_id: str):
    data = _body(request)
    s = _survey(survey_id)
    try:
        r = services.response_submit(survey=s, answers=data.get("answers"), now=timezone.now(),
                                     code=_text(data, "code", 32), group=_text(data, "group", 32),
                                     phone=_text(data, "phone", 32), sms_code=_text(data, "sms_code", 12),
                                     channel=ResponseChannel.API, ip=client_ip(request))
    except services.RateLimited as exc:
        response = JsonResponse({**exc.as_dict(), "retry_after": exc.retry_after}, status=429,
                                json_dumps_params={"ensure_ascii": False})
        response["Retry-After"] = str(exc.retry_after)
        return response
    return JsonResponse({"id": r.pk, "group": r.group.code}, status=201)
