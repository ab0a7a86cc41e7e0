from __future__ import annotations

import pytest

from verification.workflow import (
    GraphDefinitionError,
    InvalidTransition,
    State,
    StateGraph,
    VerificationGraph,
)

ALLOWED = {
    ("pending", "verified"),
    ("pending", "rejected"),
    ("rejected", "pending"),
    ("verified", "suspended"),
    ("verified", "revoked"),
    ("suspended", "verified"),
    ("suspended", "revoked"),
}


def test_the_verification_graph_allows_exactly_the_designed_moves() -> None:
    names = list(VerificationGraph.states)
    assert names == ["pending", "verified", "rejected", "suspended", "revoked"]
    assert VerificationGraph.initial is VerificationGraph.pending
    for current in names:
        for target in names:
            allowed = (current, target) in ALLOWED
            assert VerificationGraph.can_transition(current, target) is allowed
            if allowed:
                assert VerificationGraph.transition(current, target) == target
            else:
                with pytest.raises(InvalidTransition):
                    VerificationGraph.transition(current, target)


def test_transition_accepts_states_and_explains_refusals() -> None:
    graph = VerificationGraph
    assert graph.transition(graph.verified, graph.suspended) == "suspended"
    with pytest.raises(InvalidTransition, match="from 'pending' to 'revoked'; from 'pending' only"):
        graph.transition("pending", "revoked")
    with pytest.raises(InvalidTransition, match="'revoked' is terminal"):
        graph.transition("revoked", "verified")
    with pytest.raises(InvalidTransition, match="no state 'approved'"):
        graph.transition("pending", "approved")


def test_a_finished_graph_cannot_grow_new_edges() -> None:
    with pytest.raises(GraphDefinitionError, match="finished graph"):
        VerificationGraph.revoked.transitions_to(VerificationGraph.pending)
    assert "pending" not in VerificationGraph.transitions["revoked"]


def test_unreachable_states_fail_at_class_definition() -> None:
    with pytest.raises(GraphDefinitionError, match="unreachable from 'a': orphan"):

        class Broken(StateGraph):
            a = State(initial=True)
            b = State(terminal=True)
            orphan = State()

            a.transitions_to(b)
            orphan.transitions_to(b)


def test_transitions_to_undeclared_states_fail() -> None:
    stray = State()
    with pytest.raises(GraphDefinitionError, match="not a state of Broken"):

        class Broken(StateGraph):
            a = State(initial=True)
            b = State(terminal=True)

            a.transitions_to(b, stray)

    with pytest.raises(GraphDefinitionError, match="not a state of Other"):

        class Other(StateGraph):
            start = State(initial=True)
            start.transitions_to(VerificationGraph.verified)


def test_terminal_states_with_exits_fail() -> None:
    with pytest.raises(GraphDefinitionError, match=r"Broken\.done is terminal but transitions"):

        class Broken(StateGraph):
            start = State(initial=True)
            done = State(terminal=True)

            start.transitions_to(done)
            done.transitions_to(start)


def test_dead_ends_must_be_marked_terminal() -> None:
    with pytest.raises(GraphDefinitionError, match="no way out"):

        class Broken(StateGraph):
            start = State(initial=True)
            stuck = State()

            start.transitions_to(stuck)


@pytest.mark.parametrize("initials", [0, 2])
def test_exactly_one_initial_state(initials: int) -> None:
    with pytest.raises(GraphDefinitionError, match="exactly one initial"):

        class Broken(StateGraph):
            a = State(initial=initials > 0)
            b = State(initial=initials > 1, terminal=True)
            a.transitions_to(b)


def test_one_state_object_under_two_names_fails() -> None:
    with pytest.raises(GraphDefinitionError, match="same State object"):

        class Broken(StateGraph):
            a = State(initial=True)
            b = State(terminal=True)
            alias = b
            a.transitions_to(b)


def test_empty_graph_fails() -> None:
    with pytest.raises(GraphDefinitionError, match="declares no states"):

        class Empty(StateGraph):
            pass
