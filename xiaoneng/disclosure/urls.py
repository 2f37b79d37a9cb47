from django.urls import path  # noqa: F401

app_name = "disclosure"

urlpatterns = [
    # ---- catalogues and entries (helper "catalogue"): staff /staff/disclosure/catalogues/…, public /disclosure/…
    *__import__("xiaoneng.disclosure.urls_catalogue", fromlist=["x"]).urlpatterns,  # urls_catalogue.py
    # ---- end catalogue
    # ---- the disclosure day and its check (helper "check"): /staff/disclosure/checks/…, /disclosure/checks/…
    *__import__("xiaoneng.disclosure.urls_check", fromlist=["urlpatterns"]).urlpatterns,
    # ---- end check
    # ---- information requests (helper "requests"): /staff/disclosure/requests/…, public /information-requests/…
    # ---- end requests
    # ---- the annual report (helper "report"): /staff/disclosure/reports/…, public /disclosure/reports/…
    *__import__("xiaoneng.disclosure.urls_report", fromlist=["urlpatterns"]).urlpatterns,
    # ---- end report
]
