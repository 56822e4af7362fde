# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_waiter.wait_for with an injected clock and sleep: success, fast failure, timeout, sleep shortening."""

from __future__ import annotations

import pytest

from ansible_collections.castai.ai_optimizer.plugins.module_utils._waiter import (
    DONE,
    PENDING,
    WaitFailed,
    WaitTimeout,
    wait_for,
)


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def states(*values):
    """poll() that returns the values in order, then keeps returning the last one."""
    values = list(values)
    polled = []

    def poll():
        polled.append(values[0] if len(values) == 1 else values.pop(0))
        return polled[-1]

    poll.polled = polled
    return poll


def until_running(state):
    if state == "FAILED":
        raise WaitFailed("it failed", state=state)
    return DONE if state == "RUNNING" else PENDING


def test_returns_at_once_when_done():
    clock = FakeClock()
    assert (
        wait_for(states("RUNNING"), until_running, timeout=10, sleep=2, clock=clock, sleeper=clock.sleep) == "RUNNING"
    )
    assert clock.sleeps == []


def test_polls_until_done_sleeping_between():
    clock = FakeClock()
    poll = states("DEPLOYING", "DEPLOYING", "RUNNING")
    assert wait_for(poll, until_running, timeout=60, sleep=5, clock=clock, sleeper=clock.sleep) == "RUNNING"
    assert poll.polled == ["DEPLOYING", "DEPLOYING", "RUNNING"]
    assert clock.sleeps == [5, 5]


def test_boolean_checks_work_too():
    clock = FakeClock()
    assert wait_for(states(1, 2, 3), lambda n: n >= 3, timeout=60, sleep=1, clock=clock, sleeper=clock.sleep) == 3
    assert (
        wait_for(states(None, 7), lambda n: n is not None, timeout=60, sleep=1, clock=clock, sleeper=clock.sleep) == 7
    )


def test_failure_stops_at_once_with_the_state():
    clock = FakeClock()
    poll = states("DEPLOYING", "FAILED", "RUNNING")
    with pytest.raises(WaitFailed) as caught:
        wait_for(poll, until_running, timeout=60, sleep=5, clock=clock, sleeper=clock.sleep)
    assert caught.value.state == "FAILED"
    assert caught.value.message == "it failed"
    assert poll.polled == ["DEPLOYING", "FAILED"]


def test_timeout_names_the_last_state_and_shortens_the_last_sleep():
    clock = FakeClock()
    poll = states("DEPLOYING", "SCALING")
    with pytest.raises(WaitTimeout) as caught:
        wait_for(
            poll,
            until_running,
            timeout=12,
            sleep=5,
            clock=clock,
            sleeper=clock.sleep,
            describe=lambda s: "status " + s,
            what="the model to run",
        )
    error = caught.value
    assert error.state == "SCALING"
    assert "timed out after 12 seconds" in error.message
    assert "waiting for the model to run" in error.message
    assert error.message.endswith("last seen: status SCALING")
    assert clock.sleeps == [5, 5, 2]  # the last poll lands on the deadline
    assert len(poll.polled) == 4


def test_zero_timeout_polls_once():
    clock = FakeClock()
    poll = states("DEPLOYING")
    with pytest.raises(WaitTimeout):
        wait_for(poll, until_running, timeout=0, sleep=5, clock=clock, sleeper=clock.sleep)
    assert poll.polled == ["DEPLOYING"]
    assert clock.sleeps == []


def test_slow_polls_count_against_the_timeout():
    clock = FakeClock()

    def slow_poll():
        clock.now += 4
        return "DEPLOYING"

    with pytest.raises(WaitTimeout):
        wait_for(slow_poll, until_running, timeout=10, sleep=1, clock=clock, sleeper=clock.sleep)
    assert clock.now <= 100 + 10 + 4


@pytest.mark.parametrize("timeout, sleep", [(-1, 1), (1, 0), (1, -2)])
def test_bad_arguments(timeout, sleep):
    with pytest.raises(ValueError):
        wait_for(states("RUNNING"), until_running, timeout=timeout, sleep=sleep)


def test_real_clock_default():
    assert wait_for(states("PENDING", "RUNNING"), until_running, timeout=5, sleep=0.01) == "RUNNING"


def test_long_waits_back_off_to_four_times_the_sleep():
    clock = FakeClock()
    with pytest.raises(WaitTimeout) as caught:
        wait_for(lambda: "DEPLOYING", until_running, timeout=1800, sleep=10, clock=clock, sleeper=clock.sleep)
    assert clock.sleeps[:6] == [10] * 6
    assert clock.sleeps[6:9] == [15, 22.5, 33.75]
    assert max(clock.sleeps) == 40 and clock.sleeps[-2] == 40
    assert sum(clock.sleeps) == 1800
    # 180 polls at a steady 10 s; the back-off needs about a third of that.
    assert "(%d polls)" % (len(clock.sleeps) + 1) in caught.value.message and len(clock.sleeps) < 60
