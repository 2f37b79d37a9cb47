"""The disclosure app's pages, one module per part: catalogues and entries (staff /staff/disclosure/catalogues/…,
public /disclosure/…), the disclosure day and its check (/staff/disclosure/checks/…, /disclosure/checks/…),
information requests (/staff/disclosure/requests/…, public /information-requests/…), the annual report
(/staff/disclosure/reports/…, public /disclosure/reports/…). The catalogue's public /disclosure/<code>/ only takes
codes with a capital letter or digit, so the lower-case paths of the other parts are never caught by it."""

from xiaoneng.disclosure.urls_catalogue import urlpatterns as catalogue
from xiaoneng.disclosure.urls_check import urlpatterns as check
from xiaoneng.disclosure.urls_report import urlpatterns as report
from xiaoneng.disclosure.urls_requests import urlpatterns as requests

app_name = "disclosure"

urlpatterns = [*catalogue, *check, *requests, *report]
