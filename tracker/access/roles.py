"""Who may do what. Checked in the core functions that write, not only in the pages: a page can be bypassed,
the import function cannot.

- viewer: reads only;
- prefecture: imports returns for its own prefecture's counties;
- province: imports for any prefecture, loads allocations, updates measures, reviews submissions;
- admin: everything, including accounts and closing an ended plan (its evaluation sent upward) or reopening it.
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass

ROLES = ("admin", "province", "prefecture", "viewer")

#: action → roles allowed to take it
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "import": ("admin", "province", "prefecture"),
    "allocate": ("admin", "province"),
    "milestone": ("admin", "province"),
    "approve": ("admin", "province"),
    "judge": ("admin", "province"),
    "users": ("admin",),
    "close_plan": ("admin",),
}


class PermissionDenied(PermissionError):
    """The actor may not do this; the message says why, in Chinese."""


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    prefecture: str | None = None
    display_name: str | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def may(self, action: str) -> bool:
        return self.role in PERMISSIONS.get(action, ())

    def require(self, action: str) -> None:
        if not self.may(action):
            raise PermissionDenied(f"用户 {self.username}（{self.role}）无权执行此操作：{action}")

    def require_prefecture(self, prefecture: str) -> None:
        """A prefecture user writes only for its own prefecture."""
        if self.role == "prefecture" and prefecture != self.prefecture:
            raise PermissionDenied(f"用户 {self.username} 只能报送本市（州）（{self.prefecture}）的数据")


def shell_actor() -> Actor:
    """Whoever runs the command line on the server: an administrator by position (they hold the database)."""
    name = getpass.getuser()
    return Actor(username=name, role="admin", display_name=f"{name}（命令行）")
