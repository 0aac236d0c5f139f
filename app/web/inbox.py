"""A bounded queue of raw client frames between a WebSocket's receiver and its worker.

Bounded so that a flooding client costs a fixed amount of memory: what does not fit is counted
and refused, never queued. The worker drains everything waiting at once (that is the coalescing).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

Frame = str | bytes


@dataclass
class Drained:
    frames: list[Frame]
    refused: int  # frames dropped since the last drain because the inbox was full
    closed: bool  # the connection has ended; nothing more will come


@dataclass
class Inbox:
    capacity: int
    _frames: list[Frame] = field(default_factory=list)
    _refused: int = 0
    _closed: bool = False
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    def put(self, frame: Frame) -> None:
        if len(self._frames) >= self.capacity:
            self._refused += 1
        else:
            self._frames.append(frame)
        self._ready.set()

    def wake(self) -> None:
        """Let the worker run with nothing new queued (a training has progress to send)."""
        self._ready.set()

    def close(self) -> None:
        self._closed = True
        self._ready.set()

    async def drain(self, wait: bool = True) -> Drained:
        """Everything queued; waits for something unless `wait` is False (then it only lets the
        receiver run once, and may return nothing)."""
        if wait:
            await self._ready.wait()
        else:
            await asyncio.sleep(0)
        self._ready.clear()
        drained = Drained(self._frames, self._refused, self._closed)
        self._frames, self._refused = [], 0
        return drained
