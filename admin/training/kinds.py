"""The 培训类型 drop-down of the course and session forms: the kinds in use, in their order,
named in the page's language (a kind's name is reference data from a migration, translated
like the other labels). A record whose kind was retired since keeps it on the list, so that
editing something else does not make the coordinator pick a new one."""
from __future__ import annotations

from typing import Any

from training.models import TrainingKind

from ..i18n import label


def kind_choices(form: Any, current_id: int | None = None) -> Any:
    usable = TrainingKind.active == True  # noqa: E712
    if current_id is not None:
        usable |= TrainingKind.id == current_id
    form.kind.query = (TrainingKind.select().where(usable)
                       .order_by(TrainingKind.sort_order, TrainingKind.id))
    form.kind.get_label = lambda kind: label(kind.name)
    return form


def kind_name(view: Any, context: Any, model: Any, name: str) -> str:
    """A list column of a record's kind, named like the drop-down."""
    return label(model.kind.name)
