"""Explicit state graphs for long-lived records, and the verification graph.

A graph is a class whose attributes are `State`s and whose body declares the
allowed transitions. Mistakes in the graph itself fail when the class is defined,
at import time, not when a member first hits the broken path:

    class Door(StateGraph):
        closed = State(initial=True)
        open = State()
        bricked = State(terminal=True)

        closed.transitions_to(open, bricked)
        open.transitions_to(closed)

`Door.transition("closed", "open")` returns "open"; any move not declared raises
`InvalidTransition`. States are stored by name (a plain string in the database).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar


class GraphDefinitionError(TypeError):
    """A StateGraph subclass is inconsistent; raised while the class is created."""


class InvalidTransition(ValueError):
    """A record was asked to move along an edge its graph does not have."""


class State:
    """One state of a StateGraph, declared as a class attribute."""

    def __init__(self, *, initial: bool = False, terminal: bool = False) -> None:
        self.initial = initial
        self.terminal = terminal
        self.name = ""
        self.targets: tuple[State, ...] = ()
        self._bound_as: list[tuple[type, str]] = []
        self._frozen = False

    def __set_name__(self, owner: type, name: str) -> None:
        # Errors raised here would surface wrapped in a RuntimeError; remember the
        # binding and let StateGraph.__init_subclass__ judge it.
        self._bound_as.append((owner, name))
        self.name = self.name or name

    def transitions_to(self, *targets: State) -> None:
        if self._frozen:
            raise GraphDefinitionError(
                f"state {self.name!r} belongs to a finished graph; declare transitions "
                "in the class body"
            )
        self.targets += targets

    def __repr__(self) -> str:
        return f"<State {self.name or '(unnamed)'}>"

    def __str__(self) -> str:
        return self.name


class StateGraph:
    """Base class: subclasses declare `State`s and transitions in their body."""

    states: ClassVar[Mapping[str, State]]
    initial: ClassVar[State]
    transitions: ClassVar[Mapping[str, frozenset[str]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        states = {name: value for name, value in vars(cls).items() if isinstance(value, State)}
        _check_graph(cls.__name__, cls, states)
        for state in states.values():
            state._frozen = True
        cls.states = MappingProxyType(states)
        cls.initial = next(state for state in states.values() if state.initial)
        cls.transitions = MappingProxyType(
            {name: frozenset(t.name for t in state.targets) for name, state in states.items()}
        )

    @classmethod
    def state(cls, name: str | State) -> State:
        key = name.name if isinstance(name, State) else name
        state = cls.states.get(key)
        if state is None or (isinstance(name, State) and state is not name):
            raise InvalidTransition(f"{cls.__name__} has no state {key!r}")
        return state

    @classmethod
    def can_transition(cls, current: str | State, target: str | State) -> bool:
        return cls.state(target).name in cls.transitions[cls.state(current).name]

    @classmethod
    def transition(cls, current: str | State, target: str | State) -> str:
        """Check the move and return the target's name, to be stored."""
        source, destination = cls.state(current), cls.state(target)
        if destination.name not in cls.transitions[source.name]:
            allowed = sorted(cls.transitions[source.name])
            raise InvalidTransition(
                f"{cls.__name__}: cannot go from {source.name!r} to {destination.name!r}; "
                + (
                    f"from {source.name!r} only {', '.join(map(repr, allowed))}"
                    if allowed
                    else f"{source.name!r} is terminal"
                )
            )
        return destination.name


def _check_graph(graph: str, cls: type, states: dict[str, State]) -> None:
    if not states:
        raise GraphDefinitionError(f"{graph} declares no states")
    for name, state in states.items():
        others = [
            f"{owner.__name__}.{n}" for owner, n in state._bound_as if (owner, n) != (cls, name)
        ]
        if others:
            raise GraphDefinitionError(
                f"{graph}.{name} is the same State object as {', '.join(others)}; "
                "each state needs its own State()"
            )
    initials = [name for name, state in states.items() if state.initial]
    if len(initials) != 1:
        raise GraphDefinitionError(
            f"{graph} needs exactly one initial state, has {len(initials)}: {initials}"
        )
    declared = set(map(id, states.values()))
    for name, state in states.items():
        for target in state.targets:
            if id(target) not in declared:
                raise GraphDefinitionError(
                    f"{graph}.{name} transitions to {target!r}, which is not a state of {graph}"
                )
        if state.terminal and state.targets:
            raise GraphDefinitionError(
                f"{graph}.{name} is terminal but transitions to "
                f"{', '.join(t.name for t in state.targets)}"
            )
        if not state.terminal and not state.targets:
            raise GraphDefinitionError(
                f"{graph}.{name} has no way out; declare its transitions or mark it terminal"
            )
    reached = {initials[0]}
    frontier = [states[initials[0]]]
    while frontier:
        for target in frontier.pop().targets:
            if target.name not in reached:
                reached.add(target.name)
                frontier.append(target)
    unreachable = sorted(set(states) - reached)
    if unreachable:
        raise GraphDefinitionError(
            f"{graph}: unreachable from {initials[0]!r}: {', '.join(unreachable)}"
        )


class VerificationGraph(StateGraph):
    """A member's verification status.

    - pending: a claim awaits the register match or an operator's review.
    - verified: may read and post case content; attested to peers.
    - rejected: the claim failed. Not terminal: the usual cause is a mistyped
      number or an unreadable document, so a new claim puts the member back to
      pending (the node rate-limits claims).
    - suspended: temporarily not verified, by an operator or because a register
      re-import no longer lists the licence as active; restoring goes back to
      verified without a new claim.
    - revoked: an operator's final decision; the account needs no further review.
    """

    pending = State(initial=True)
    verified = State()
    rejected = State()
    suspended = State()
    revoked = State(terminal=True)

    pending.transitions_to(verified, rejected)
    rejected.transitions_to(pending)
    verified.transitions_to(suspended, revoked)
    suspended.transitions_to(verified, revoked)
