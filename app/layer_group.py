"""A candidate layer of a weights file: the tensors that share a prefix and a layer suffix, and the
checks an LSTM's and a GRU's import share (app/weights_io.py, app/gru_import.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .file_errors import Unusable

Naming = Literal["pytorch", "keras"]
SEPARATORS = "./:_-"


@dataclass
class Group:
    """Tensors that share a prefix and layer suffix: one candidate layer."""

    naming: Naming
    prefix: str
    tail: str  # "_l1", "_l0_reverse", ":0" or ""
    members: dict[str, str] = field(default_factory=dict)  # role → name in the file

    def name(self, role: str) -> str:
        return self.members.get(role, f"{self.prefix}{role}{self.tail}")

    @property
    def id(self) -> str:
        if self.naming == "pytorch" and self.tail:
            return self.prefix + self.tail.removeprefix("_")
        return self.prefix.rstrip(SEPARATORS) or ("cell" if self.naming == "pytorch" else "lstm")


def require(group: Group, roles: tuple[str, ...]) -> None:
    """Refuses the layer naming the first of `roles` it lacks."""
    for role in roles:
        if role not in group.members:
            raise Unusable(
                "tensor_missing", name=group.name(role), layer=group.id, present=list(group.members.values())
            )


def bias_roles(group: Group, gru: bool = False) -> list[str]:
    """The bias roles present: both or neither (bias=False); one alone is refused."""
    roles: list[str] = [role for role in ("bias_ih", "bias_hh") if role in group.members]
    if len(roles) == 1:
        other, present = group.name("bias_hh" if roles[0] == "bias_ih" else "bias_ih"), group.name(roles[0])
        if gru:
            raise Unusable("gru_one_bias_missing", name=other, present=present)
        raise Unusable("one_bias_missing", name=other, present=present)
    return roles


def mismatch(
    name: str,
    shape: tuple[int, ...],
    reference: str,
    reference_shape: tuple[int, ...],
    hidden: int,
    expected: str,
) -> Unusable:
    """A tensor whose shape disagrees with the one that sets H."""
    return Unusable(
        "shape_mismatch",
        name=name,
        shape=str(shape),
        reference=reference,
        reference_shape=str(reference_shape),
        hidden=hidden,
        expected=expected,
        note=None,
    )
