"""Admin pieces shared by the apps."""

from __future__ import annotations

from typing import Any


class ReadOnlyAdminMixin:
    """For records written only by the services (audit trails, logs, generated plans): the
    admin shows them, and no one changes them there."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
