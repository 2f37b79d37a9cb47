"""Cases (办件): collecting every case, folding its events, running its clock.

Three ways in, one code path: department systems (`POST /api/v1/case-events`), window staff (受理登记
pages) and legacy files (`xiaoneng import-cases FILE`) all call `cases.services.case_events_ingest`.

Contract with supervision (which builds on this one; cases never imports supervision)
-------------------------------------------------------------------------------------
Cases are a clock owner (core/clocks.py): `CaseClocks` (cases/clocks.py) is registered once in
`CasesConfig.ready()`; supervision is the judge, registered in its own `ready()`. Nothing else connects them:

- the tick asks the owner for its due rows (`due`: the schedule `CaseCheck` joined to the case, locked SKIP
  LOCKED), judges them by the case family of rules and hands the next checks back (`checked` writes the
  schedule); `sync` recomputes clocks after a calendar change; `consequence("deemed_approval", …)` marks
  deemed approval and `consequence("deemed_approval_undo", …)` takes it back, through the services below;
- the ingest asks the judge (`clocks.judge()`) to judge every touched case once per batch while it is folded:
  `judge.evaluate("case", pairs, now=)` before the write (it sets each row's `next_check_at`, stored as its
  CaseCheck) and `judge.commit(token, now=, fill_event_ids=)` after it, inside the ingest's transaction —
  raising aborts the batch (nothing is acknowledged). One mode: with no judge registered the ingest raises
  ImproperlyConfigured; the cases app keeps no schedule and no thresholds of its own;
- the case API and page list a case's cards through `clocks.judge().cards_of("case", ids)`.

Services supervision may call: `case_clocks_sync(now=)` (recompute clocks when the calendar revision
changed; call it at the start of each tick: cases whose deadlines moved become due now), `case_recompute_deadlines(cases=, now=)`,
`case_deemed_approval_record(marks=, now=)` (超时默许: mark, notice, applicant SMS — once per case) and
`case_deemed_approval_withdraw(case_ids=, now=)` (a late event undid it).

Case columns for the tick and the rules (all aware datetimes; see models.Case):

- `is_open` — the tick still watches the case: its clock runs (received, accepted, supplementing,
  suspended), or it is decided (completed / denied) and not yet delivered.
- the schedule, `CaseCheck(case, due_at)` (a table of its own, written only through `cases.schedule`:
  `schedule_write(pairs)`, `schedule_due_now(queryset, now=)`; read with `selectors.case_next_check`) — the
  earliest moment after the last evaluation (`now` of the last ingest or tick) at which a time-based
  threshold may be crossed, as the watcher computes it from its rules (the cases app computes none: with the
  default rules, committed deadline − 2 wd for the reminder, + 1 wd for yellow, statutory + 1 wd for red, the
  step limits, the statutory deadline of deemed-approval items, delivery 3 and 10 wd after a decision), or
  `now` when a calendar change moved the case's deadlines (re-judge at once). No row when nothing is ahead or
  the case is closed. Index `cases_check_due`: `due_at <= now` is one range scan.
- the clock: `clock_start` (the moment of the event the limits count from; when it fell after the close or
  on a day off, counting starts at the next working day's opening, `WorkCalendar.clock_start(clock_start)`,
  and every deadline is at or after that), `committed_deadline`, `statutory_deadline`, `deadlines_provisional`,
  `clock_error` (a missing calendar year: no guess), `clock_stopped_at`, `suspended_working_days`,
  `granted_days`, `suspensions` (JSON list: kind supplement|special|extension, start, end, granted_days,
  reason, counted — an `extension` is a §42 approval, start = end, moving the statutory deadline only), `acceptance_due_at`, `deemed_accepted`, `deemed_approved_at`.
- steps: `current_step`, `current_step_started_at`, `current_step_due_at`, `steps` (JSON: step, name,
  started_at, completed_at, limit [value, unit], due_at, overdue, handler, position — position is the
  index in the version's workflow, None for a step not in it: out-of-order/skipped checks compare these).
- outcome: `status`, `registered` (False: events without a `received`, 体外循环), `completed_at`,
  `delivered_at`, `delivery_due_at`, `verdict` (early|on_time|overdue), `verdict_working_days`,
  `verdict_hours`, `statutory_overdue`, `reason`, `notices_count`, `first_notice_at`, `fees_total`.
- `version` is the ServiceItemVersion pinned at receipt (its FeeRule list and WorkflowStep order are what
  fee and procedure rules check against); CaseEvent rows carry `fee_item`/`amount`, `step`, `reason`,
  `missing_materials`, `granted_days`.
"""
