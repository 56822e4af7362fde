# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Poll until a condition holds, fails, or time runs out.

``wait_for(poll, check, timeout, sleep)`` calls ``poll()`` to read the latest
state, then ``check(state)`` to judge it:

- ``check`` returns ``DONE`` (or True): the wait succeeds and the state is returned;
- ``check`` returns ``PENDING`` (or False/None): sleep and poll again;
- ``check`` raises ``WaitFailed``: the wait stops at once (e.g. a FAILED status).

When ``timeout`` seconds pass, ``WaitTimeout`` is raised with ``describe(last_state)``
so the message names what was last seen. The clock and the sleep are injectable,
so tests run without real waiting.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

DONE = "done"
PENDING = "pending"
# Long waits poll less often: after STEADY_POLLS polls at ``sleep``, each pause grows by BACKOFF up to MAX_FACTOR times
# ``sleep``. A deploy that takes 30 minutes with the default 10 s is then read about 55 times instead of 180.
STEADY_POLLS = 6
BACKOFF = 1.5
MAX_FACTOR = 4


class WaitError(Exception):
    """Base of the waiter's errors; ``state`` is the last state seen (None if none was read)."""

    def __init__(self, message: str, state: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.state = state


class WaitFailed(WaitError):
    """Raised by a check function: the state can no longer reach the goal."""


class WaitTimeout(WaitError):
    """The goal was not reached within the timeout."""


def wait_for(
    poll: Callable[[], Any],
    check: Callable[[Any], str | bool | None],
    timeout: float,
    sleep: float = 5.0,
    describe: Callable[[Any], str] = repr,
    clock: Callable[[], float] = time.monotonic,
    sleeper: Callable[[float], None] = time.sleep,
    what: str = "the condition",
) -> Any:
    """Poll until ``check(poll())`` says done; return the last state.

    ``poll`` is called at least once, even with a timeout of 0. The time between
    polls is ``sleep`` seconds (growing on long waits, see STEADY_POLLS), shortened so
    the last poll happens at the deadline.
    """
    if timeout < 0:
        raise ValueError("timeout must not be negative")
    if sleep <= 0:
        raise ValueError("sleep must be greater than 0")
    deadline = clock() + timeout
    polls = 0
    while True:
        state = poll()
        polls += 1
        verdict = check(state)
        if verdict is True or verdict == DONE:
            return state
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeout(
                "timed out after %s seconds (%d polls) waiting for %s; last seen: %s"
                % (_seconds(timeout), polls, what, describe(state)),
                state=state,
            )
        sleeper(min(pause(sleep, polls), remaining))


def _seconds(value):
    return ("%g" % value) if isinstance(value, float) else str(value)


def pause(sleep: float, polls: int) -> float:
    """Seconds to wait after ``polls`` polls: ``sleep`` at first, then backing off to MAX_FACTOR times it."""
    return min(sleep * BACKOFF ** max(0, polls - STEADY_POLLS), sleep * MAX_FACTOR)
