"""Public pages of people and posts: only people and posts a published record names."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from people import selectors
from people.filters import PERSON_ROLES, PersonFilter, PostFilter
from people.paging import Order, keyset_page
from records import choices

POST_ORDER = Order.of("region", "title", "id")


@require_GET
def person_list(request):
    order = request.GET.get("order", "pinyin")
    if order not in selectors.ORDERS or (
        order == "stroke" and not selectors.stroke_order_available()
    ):
        order = "pinyin"
    filterset = PersonFilter(request.GET, queryset=selectors.visible_people())
    status = 200 if filterset.is_valid() else 400
    people = filterset.qs if status == 200 else filterset.queryset.none()
    page = selectors.person_list_page(
        people=people, order=order, cursor=request.GET.get("cursor"), number=request.GET.get("page")
    )
    context = {
        "page": page,
        "groups": selectors.group_by_initial(page.items)
        if order == "pinyin"
        else [("", page.items)],
        "filterset": filterset,
        "order": order,
        "orders": [
            (key, label)
            for key, label in selectors.ORDERS.items()
            if key != "stroke" or selectors.stroke_order_available()
        ],
        "terms": choices.membership_terms(),
        "roles": PERSON_ROLES,
        "selected": {key: request.GET.get(key, "") for key in ("publication", "term", "role", "q")},
    }
    return render(request, "people/person_list.html", context, status=status)


@require_GET
def person_detail(request, pk: int):
    try:
        profile = selectors.person_profile(person_id=pk)
    except Http404:
        target = selectors.redirect_target_for_person(pk)
        if target is None:
            raise
        return redirect(reverse("people:person-detail", args=[target]), permanent=True)
    return render(request, "people/person_detail.html", {"p": profile})


@require_GET
def post_list(request):
    posts = selectors.visible_posts()
    filterset = PostFilter(request.GET, queryset=posts)
    status = 200 if filterset.is_valid() else 400
    rows = filterset.qs if status == 200 else filterset.queryset.none()
    page = keyset_page(
        rows, POST_ORDER, request.GET.get("cursor"), 100, number=request.GET.get("page")
    )
    regions = choices.post_regions()
    context = {
        "page": page,
        "filterset": filterset,
        "regions": regions,
        "selected": {key: request.GET.get(key, "") for key in ("region", "q")},
    }
    return render(request, "people/post_list.html", context, status=status)


@require_GET
def post_detail(request, pk: int):
    return render(request, "people/post_detail.html", {"p": selectors.post_profile(post_id=pk)})
