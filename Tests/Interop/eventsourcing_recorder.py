"""The Python `eventsourcing` library's own aggregate-recorder tests, run against Berrys.

`BerrysAggregateRecorder` stores the library's events as Berrys events through the documented
raw-client function `berrys_append_atomic` (Sources/EventLog/AppendFunction.swift), with no
emulation around it: a call to `insert_events` is one atomic set, each aggregate's first event
under the condition "still at the sequence I read", so the library's rules (atomic batches,
no version recorded twice) hold because the log's do. The test case is the library's
`AggregateRecorderTestCase`, unchanged.

Environment: BERRYS_TEST_REDIS_URL, ES_NAMESPACE (a log `berrys init` made), ES_PARTITIONS.
Run: python3 -m unittest Tests/Interop/eventsourcing_recorder.py
"""
import base64
import json
import os
import uuid
from datetime import datetime, timezone

import redis
from eventsourcing.persistence import AggregateRecorder, IntegrityError, StoredEvent
from eventsourcing.tests.persistence import AggregateRecorderTestCase

ID_NAMESPACE = uuid.UUID("5d1f2c0a-8a8e-4f1e-9a57-4f3b0c6e9b21")


def fnv1a32(text: str) -> int:
    """The partition hash of Berrys (Sources/EventLog/Partitioner.swift)."""
    value = 2166136261
    for byte in text.encode():
        value = ((value ^ byte) * 16777619) % 2**32
    return value


class BerrysAggregateRecorder(AggregateRecorder):
    """An aggregate recorder on a Berrys log. Every event carries one partition key, so that
    any `insert_events` call (one or several aggregates) lies in one partition and is one atomic
    set; the library's aggregates are its subjects, their versions kept in the data."""

    def __init__(self, client: redis.Redis, namespace: str, partitions: int, partition_key: str = "eventsourcing"):
        self.client = client
        self.namespace = namespace
        self.partition_key = partition_key
        self.partition = fnv1a32(partition_key) % partitions
        self.stream = f"{namespace}:events:{{{self.partition}}}"
        self.sequences = f"{namespace}:seq:{{{self.partition}}}"

    def insert_events(self, stored_events, **kwargs):
        if not stored_events:
            return None
        arguments, seen = [], {}
        for event in stored_events:
            subject = str(event.originator_id)
            expected = "any"
            if subject not in seen:
                # The aggregate must still be where this process read it when the call lands.
                record = self.client.hget(self.sequences, subject)
                expected = "none" if record is None else record.decode().split(" ")[0]
                seen[subject] = True
            fields = self._fields(event, subject)
            arguments += [expected, str(len(fields) // 2)] + fields
        try:
            replies = self.client.fcall("berrys_append_atomic", 1, self.stream, *arguments)
        except redis.ResponseError as error:
            # A condition that no longer holds, an id (= aggregate and version) seen before in
            # part of the set, or twice in it: nothing was written.
            raise IntegrityError(str(error)) from error
        if any(reply[2] == b"duplicate" for reply in replies):
            # Every id seen before: these versions are recorded already.
            raise IntegrityError("these versions are recorded already")
        return None

    def select_events(self, originator_id, *, gt=None, lte=None, desc=False, limit=None):
        subject = str(originator_id)
        events, after = [], "-"
        while True:
            entries = self.client.xrange(self.stream, min=after, max="+", count=1000)
            entries = [entry for entry in entries if after == "-" or entry[0].decode() != after]
            if not entries:
                break
            for _, fields in entries:
                if fields.get(b"subject", b"").decode() != subject:
                    continue
                data = json.loads(fields[b"data"])
                version = data["version"]
                if (gt is None or version > gt) and (lte is None or version <= lte):
                    events.append(StoredEvent(originator_id=originator_id, originator_version=version,
                                              topic=data["topic"], state=base64.b64decode(data["state"])))
            after = entries[-1][0].decode()
        events.sort(key=lambda event: event.originator_version, reverse=desc)
        return events[:limit] if limit is not None else events

    def _fields(self, event, subject):
        data = {"version": event.originator_version, "topic": event.topic, "state": base64.b64encode(event.state).decode()}
        return ["specversion", "1.0", "id", str(uuid.uuid5(ID_NAMESPACE, f"{subject}/{event.originator_version}")),
                "source", "eventsourcing", "type", "eventsourcing.stored", "dataversion", "1", "subject", subject,
                "time", datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "datacontenttype", "application/json", "data", json.dumps(data), "partitionkey", self.partition_key]


class BerrysAggregateRecorderTest(AggregateRecorderTestCase):
    def create_recorder(self):
        client = redis.Redis.from_url(os.environ["BERRYS_TEST_REDIS_URL"])
        return BerrysAggregateRecorder(client, os.environ["ES_NAMESPACE"], int(os.environ["ES_PARTITIONS"]))


del AggregateRecorderTestCase  # only the subclass runs
