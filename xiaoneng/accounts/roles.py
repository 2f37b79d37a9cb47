"""The roles a staff member can hold. Stored as Django groups named by these codes (admin UI for free)."""

from django.utils.translation import gettext_lazy as _

WINDOW = "window"  # 窗口人员: receives applicants at the service centre counter
HANDLER = "handler"  # 承办人: handles cases and answers cards in a department
HEAD = "head"  # 科室/单位负责人: answers for a department, approves replies
SUPERVISOR = "supervisor"  # 效能监察员: the supervision office, sees every department
LEADER = "leader"  # 领导: read-everything dashboards
ADMIN = "admin"  # 系统管理员: accounts, tokens, calendar, catalogue

LABELS = {
    WINDOW: _("窗口人员"),
    HANDLER: _("承办人"),
    HEAD: _("部门负责人"),
    SUPERVISOR: _("效能监察员"),
    LEADER: _("领导"),
    ADMIN: _("系统管理员"),
}
ALL = tuple(LABELS)
# Roles whose holders see every department's records (the supervision office and above).
COUNTY_WIDE = (SUPERVISOR, LEADER, ADMIN)
# Whose landing page a person with several roles opens first (core.landing): the business roles by
# seniority, the technical administrator last (an administrator who is also a supervisor starts the day as one).
SENIORITY = (LEADER, SUPERVISOR, HEAD, HANDLER, WINDOW, ADMIN)
