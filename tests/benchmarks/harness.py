"""Writers as separate processes, driven through timed windows by the parent.

Python runs one thread at a time, so writers in one process would measure the GIL as
much as the database. Each writer is its own process with its own connection(s); the
parent tells all of them when a window starts and ends (``time.monotonic`` is
system-wide on Linux) and adds up the events of the commands that finished inside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Protocol

_START_DELAY = 0.2
_REPLY_TIMEOUT = 300.0


@dataclass(frozen=True)
class WriterSpec:
    kind: str  # "suivi", "raw" or "eventsourcing"
    url: str
    index: int
    secret: str  # the master key (suivi) or the cipher key (eventsourcing), hex or base64
    idempotency: bool = True


class AsyncWriter(Protocol):
    async def open(self) -> None: ...
    async def command(self, events: int) -> None: ...
    async def close(self) -> None: ...


class SyncWriter(Protocol):
    def open(self) -> None: ...
    def command(self, events: int) -> None: ...
    def close(self) -> None: ...


class BenchmarkError(Exception):
    """A writer process failed; the message carries its traceback."""


def _writer_for(spec: WriterSpec) -> AsyncWriter | SyncWriter:
    from tests.benchmarks import baselines, store_append

    factories: dict[str, Callable[[WriterSpec], Any]] = {
        "suivi": store_append.SuiviWriter,
        "raw": baselines.RawInsertWriter,
        "eventsourcing": baselines.EventsourcingWriter,
    }
    return factories[spec.kind](spec)


def _worker(spec: WriterSpec, pipe: Connection) -> None:
    try:
        writer = _writer_for(spec)
        if spec.kind == "eventsourcing":
            _sync_loop(writer, pipe)
        else:
            asyncio.run(_async_loop(writer, pipe))
    except BaseException:
        pipe.send(("error", traceback.format_exc()))


async def _async_loop(writer: AsyncWriter, pipe: Connection) -> None:
    await writer.open()
    pipe.send(("ready", 0))
    try:
        while (order := await asyncio.to_thread(pipe.recv)) is not None:
            events, start, end = order
            await asyncio.sleep(max(0.0, start - time.monotonic()))
            done = 0
            while time.monotonic() < end:
                await writer.command(events)
                if time.monotonic() <= end:
                    done += events
            pipe.send(("done", done))
    finally:
        await writer.close()


def _sync_loop(writer: SyncWriter, pipe: Connection) -> None:
    writer.open()
    pipe.send(("ready", 0))
    try:
        while (order := pipe.recv()) is not None:
            events, start, end = order
            time.sleep(max(0.0, start - time.monotonic()))
            done = 0
            while time.monotonic() < end:
                writer.command(events)
                if time.monotonic() <= end:
                    done += events
            pipe.send(("done", done))
    finally:
        writer.close()


class WriterGroup:
    """N writer processes of one kind. ``start`` returns at once; ``ready`` waits for them."""

    def __init__(self, specs: list[WriterSpec]) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipes: list[Connection] = []
        self._processes: list[multiprocessing.process.BaseProcess] = []
        for spec in specs:
            parent, child = context.Pipe()
            process = context.Process(target=_worker, args=(spec, child), daemon=True)
            self._pipes.append(parent)
            self._processes.append(process)

    def start(self) -> WriterGroup:
        for process in self._processes:
            process.start()
        return self

    def ready(self) -> None:
        for pipe in self._pipes:
            _reply(pipe)

    def warm_up(self, events: int, window: float = 0.5) -> None:
        """One discarded window: connections, prepared statements and caches get warm."""
        self.run(events, window)

    def run(self, events: int, window: float) -> float:
        """Events per second committed by all writers together during one window."""
        start = time.monotonic() + _START_DELAY
        for pipe in self._pipes:
            pipe.send((events, start, start + window))
        return sum(_reply(pipe) for pipe in self._pipes) / window

    def close(self) -> None:
        for pipe in self._pipes:
            with contextlib.suppress(OSError):
                pipe.send(None)
        for process in self._processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join()


def _reply(pipe: Connection) -> int:
    if not pipe.poll(_REPLY_TIMEOUT):
        raise BenchmarkError(f"a writer gave no answer in {_REPLY_TIMEOUT:.0f} s")
    kind, value = pipe.recv()
    if kind == "error":
        raise BenchmarkError(f"a writer process failed:\n{value}")
    return int(value)
