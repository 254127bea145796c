"""The HTTP requests the official CloudEvents Python SDK (cloudevents 2.2.0, its v1 API) makes
for events Berrys should accept: binary mode without a datacontenttype (the SDK then sends no
Content-Type at all), binary mode with one, and structured mode. Prints them as JSON lines:
{"name", "headers", "body"}; the Swift test sends each to POST /v1/events as it is."""
import json
import sys

from cloudevents.v1.conversion import to_binary, to_structured
from cloudevents.v1.http import CloudEvent

project_ids = sys.argv[1:4]


def event(project_id, extra):
    attributes = {"type": "project.created", "source": "cloudevents-python-sdk", **extra}
    return CloudEvent(attributes, {"project_id": project_id, "name": "From the SDK"})


cases = [
    ("binary, no datacontenttype", to_binary(event(project_ids[0], {}))),
    ("binary, datacontenttype application/json", to_binary(event(project_ids[1], {"datacontenttype": "application/json"}))),
    ("structured", to_structured(event(project_ids[2], {}))),
]
for name, (headers, body) in cases:
    print(json.dumps({"name": name, "headers": dict(headers), "body": body.decode("utf-8")}))
