"""The firm's payouts: the list, and one payout with everything it contains."""

from django.shortcuts import render

from firmpay.payouts.selectors import firm_payouts, payout_breakdown, payout_of_firm_or_404
from firmpay.tenancy.decorators import member_required


@member_required
def payout_list(request):
    return render(request, "payouts/list.html", {"payouts": list(firm_payouts(firm=request.firm))})


@member_required
def payout_detail(request, payout_id: int):
    payout = payout_of_firm_or_404(firm=request.firm, payout_id=payout_id)
    return render(request, "payouts/detail.html", {"b": payout_breakdown(payout=payout)})
