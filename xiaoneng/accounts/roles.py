"""The roles a staff member can hold. Stored as Django groups named by these codes (admin UI for free)."""

from django.utils.translation import gettext_lazy as _

WINDOW = "window"  # 窗口人员: receives applicants at the service centre counter
HANDLER = "handler"  # 承办人: handles cases and answers cards in a department
HEAD = "head"  # 科室/单位负责人: answers for a department, approves replies
SUPERVISOR = "supervisor"  # 效能监察员: the supervision office, sees every department
LEADER = "leader"  # 领导: read-everything dashboards
ADMIN = "admin"  # 系统管理员: accounts, tokens, calendar, catalogue
# 特邀监督员: people's deputies, CPPCC members, journalists, enterprise representatives invited by the office to
# visit departments (明查暗访). Not staff of any department: they record visits and findings for the office to
# review, see their own records and the public data, and nothing else (xiaoneng.inspections).
INVITED = "invited_supervisor"

LABELS = {
    WINDOW: _("窗口人员"),
    HANDLER: _("承办人"),
    HEAD: _("部门负责人"),
    SUPERVISOR: _("效能监察员"),
    LEADER: _("领导"),
    ADMIN: _("系统管理员"),
    INVITED: _("特邀监督员"),
}
# The staff roles: the government's own people, who open the staff desk and the pages every staff role may read
# (role_required(*ALL)). The invited supervisor is deliberately not among them.
ALL = (WINDOW, HANDLER, HEAD, SUPERVISOR, LEADER, ADMIN)
# Every role an account can be given (the accounts pages' choices).
ASSIGNABLE = (*ALL, INVITED)
# Roles whose holders see every department's records (the supervision office and above).
COUNTY_WIDE = (SUPERVISOR, LEADER, ADMIN)
# Roles an account may hold without a department: the county-wide ones and the invited supervisor (an outsider,
# who belongs to no department and reaches none: accounts.selectors scopes it to nothing).
NO_DEPARTMENT = (*COUNTY_WIDE, INVITED)
# Whose landing page a person with several roles opens first (core.landing): the business roles by
# seniority, the technical administrator last (an administrator who is also a supervisor starts the day as one).
SENIORITY = (LEADER, SUPERVISOR, HEAD, HANDLER, WINDOW, INVITED, ADMIN)
