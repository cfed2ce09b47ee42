"""Model instances made from database rows, and their choices' labels, at less cost.

Django makes every row a query reads through ``Model.__init__``, which walks the
model's fields and sets each through ``setattr`` and sends ``pre_init`` and
``post_init``. A page of 50 decisions with their meeting, issue, publication and
article makes some 400 instances; the API's meeting list, with its agenda and
attendance prefetched, about 500. ``from_db`` is Django's documented hook for
loading: this one puts the row's values into the new instance's ``__dict__``,
where ``__init__`` would have put them: 6.9 → 1.9 µs an instance of a
decision, 6.3 → 1.9 of an article, 8.3 → 1.8 of an attendance row (least of 60
times 1,000, one row made again and again).

Only a model whose fields keep their values in ``__dict__`` can load this way:
Django's descriptors for concrete fields (deferred attributes, foreign key ids,
files) do. A model that something watches (a ``pre_init``/``post_init``
receiver, as images and generic relations connect) loads through Django.

``get_<field>_display`` (a decision's action, an article's category) builds a
dict of the field's choices on every call in Django: 8 µs, and the busiest post's page
shows 154 of them (600 issues), a 50-row list 50. Here each field's dict is built once.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Self

from django.db.models import Field, signals
from django.db.models.base import ModelState
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


@functools.cache
def _labels(field: Field) -> dict[Any, Any]:
    # The labels as declared (lazy ones stay lazy: force_str reads them per call).
    return dict(make_hashable(field.flatchoices))


class QuickModel:
    """Mixin for a model: rows load without ``Model.__init__``, labels from a kept dict."""

    @classmethod
    def from_db(cls, db: str | None, field_names: Sequence[str], values: Sequence[Any]) -> Self:
        watched = signals.pre_init.receivers or signals.post_init.receivers
        # Either signal's receivers are an empty list unless a model with an image
        # field or the like is loaded; has_listeners costs as much as the rest.
        if watched and (
            signals.pre_init.has_listeners(cls) or signals.post_init.has_listeners(cls)
        ):
            return super().from_db(db, field_names, values)  # type: ignore[misc]
        instance = cls.__new__(cls)
        # field_names are the attnames of the columns read, in the order of values;
        # a deferred field is absent, as Model.__init__ leaves it.
        instance.__dict__.update(zip(field_names, values, strict=True))
        state = ModelState()
        state.adding = False
        state.db = db
        instance._state = state  # type: ignore[attr-defined]
        return instance

    def _get_FIELD_display(self, field: Field) -> Any:
        # Django's get_<field>_display, its choices' dict kept (Field.contribute_to_class
        # binds the class's _get_FIELD_display, this one, for every field with choices).
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)
