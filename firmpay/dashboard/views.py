"""The payments dashboard page."""

from django.shortcuts import render

from firmpay.dashboard.charts import ageing_chart, months_chart
from firmpay.dashboard.selectors import dashboard_for_firm
from firmpay.tenancy.decorators import member_required


@member_required
def dashboard(request):
    currency = request.GET.get("currency", "")[:3].upper()
    data = dashboard_for_firm(firm=request.firm, currency=currency)
    context = {
        "dash": data,
        "months_chart": months_chart(data.months, data.currency),
        "ageing_chart": ageing_chart(data.ageing, data.currency),
        "collected_total": sum(m.collected for m in data.months),
        "invoiced_total": sum(m.invoiced for m in data.months),
    }
    return render(request, "dashboard/dashboard.html", context)
