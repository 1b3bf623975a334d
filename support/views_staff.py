"""Staff pages of the support app outside the admin: the monthly report (a page, a chart and a CSV file)."""

import csv
from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from . import selectors
from .charts import bar_chart

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ReportForm(forms.Form):
    desk = forms.ChoiceField(label=gettext_lazy("Branch"))
    month = forms.DateField(
        label=gettext_lazy("Month"), input_formats=["%Y-%m"], widget=forms.DateInput(format="%Y-%m")
    )

    def __init__(self, *args, desks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desk"].choices = desks
        self.fields["month"].widget.input_type = "month"


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _hours(duration: timedelta | None) -> str:
    return "" if duration is None else f"{duration.total_seconds() / 3600:.1f}"


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    """Requests per branch and month. Branch staff see their branch; SESPS, GRM and superusers every one."""
    desks = selectors.report_desks_for_user(user=request.user)
    if desks is None:
        raise Http404("No report for you")
    this_month = timezone.localdate().replace(day=1)
    data = request.GET if request.GET else {"desk": desks[0][0], "month": this_month.strftime("%Y-%m")}
    form = ReportForm(data, desks=desks)
    if not form.is_valid():
        return render(request, "support/staff/reports.html", {"form": form}, status=400)
    desk = form.cleaned_data["desk"]
    report = selectors.support_report(desk=desk, desk_label=dict(desks)[desk], month=form.cleaned_data["month"])
    if request.GET.get("format") == "csv":
        return _csv(report)
    context = {
        "form": form,
        "report": report,
        "category_chart": bar_chart(report.by_category),
        "age_chart": bar_chart(report.open_by_age),
        "first_response_hours": _hours(report.median_first_response),
        "resolution_hours": _hours(report.median_resolution),
        "csv_query": f"desk={desk}&month={report.month:%Y-%m}&format=csv",
    }
    return render(request, "support/staff/reports.html", context)


def _csv(report) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="support-report-{report.month:%Y-%m}.csv"'
    response.write("\ufeff")  # so that spreadsheets read it as UTF-8 (Japanese labels)
    writer = csv.writer(response)
    rows = [
        (_("Branch"), report.desk_label, ""),
        (_("Month"), f"{report.month:%Y-%m}", ""),
        (_("Requests"), report.total, ""),
    ]
    rows += [(_("Requests by category"), label, count) for label, count in report.by_category]
    rows += [
        (_("Median first response (office hours)"), _hours(report.median_first_response), ""),
        (_("Median resolution (office hours)"), _hours(report.median_resolution), ""),
        (_("Answered within the due time"), report.answered_in_time, report.answered_of),
    ]
    rows += [(_("Open requests by age"), label, count) for label, count in report.open_by_age]
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return response
