#!/usr/bin/env python3
"""The web console in a real browser (Debian's chromium and chromium-driver, driven by selenium).

Run by ConsoleBrowserTests against a live `berrys run` with demo data, or by hand:
    python3 Tests/Browser/console_test.py --url http://127.0.0.1:8080 --orphan EVENT_ID
Each page must render its data; an event published meanwhile must appear in the open live feed
within 2 s; a dead letter retried from the console must be re-delivered; an API error must be
shown as its message. Screenshots go to --screenshots (under .build/, not committed).
Exit status: 0 when every check passed, 1 otherwise (each failure is printed).
"""
import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


class Console:
    def __init__(self, url, screenshots):
        self.url = url.rstrip("/")
        self.screenshots = screenshots
        options = Options()
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                         "--disable-gpu", "--no-first-run", "--disable-extensions"):
            options.add_argument(argument)
        options.binary_location = "/usr/bin/chromium"
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.failures = []

    def api(self, path, body=None):
        request = urllib.request.Request(self.url + path, method="POST" if body is not None else "GET",
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/cloudevents+json"} if body is not None else {})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def open(self, page):
        self.driver.get(f"{self.url}/console/#/{page}")
        self.driver.refresh()  # a hash change alone does not reload the page's modules

    def wait(self, what, condition, timeout=30):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(lambda d: condition())
        except TimeoutException:
            error = self.driver.find_elements(By.ID, "error")
            shown = error[0].text if error and error[0].is_displayed() else "no error shown"
            raise AssertionError(f"timed out after {timeout} s waiting for {what} ({shown})")

    def all(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def shot(self, name):
        os.makedirs(self.screenshots, exist_ok=True)
        self.driver.save_screenshot(os.path.join(self.screenshots, f"console-{name}.png"))

    def check(self, name, body):
        try:
            body()
            print(f"ok   {name}", flush=True)
        except Exception as error:  # every failure is reported, then the next check runs
            self.failures.append(name)
            print(f"FAIL {name}: {error}", flush=True)
            try:
                self.shot(f"failed-{name}")
            except Exception:
                pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the API's base URL")
    parser.add_argument("--orphan", required=True, help="the event id of an event a worker dead-letters")
    parser.add_argument("--screenshots", default=".build/console-screenshots")
    args = parser.parse_args()
    console = Console(args.url, args.screenshots)
    try:
        run(console, args.orphan)
    finally:
        console.driver.quit()
    if console.failures:
        print(f"{len(console.failures)} check(s) failed: {', '.join(console.failures)}")
        sys.exit(1)
    print("every console check passed")


def run(console, orphan):
    def overview():
        console.open("overview")
        partitions = len(console.api("/v1/log")["partitions"])
        console.wait("the partitions table", lambda: len(console.all("#partitions tr")) == partitions)
        console.wait("readiness", lambda: "ready" in console.driver.find_element(By.ID, "readiness").text)
        console.wait("the publish-rate chart drawn", lambda: console.all('[data-chart="Publish rate"] polyline'), timeout=15)
        console.wait("the worker-lag chart drawn", lambda: console.all('[data-chart="Worker lag (events)"] polyline'), timeout=15)
        console.shot("overview")

    def live_feed():
        console.open("events")
        console.wait("the stream live", lambda: console.all('#stream-state [data-state="live"]'))
        event_id = str(uuid.uuid4())
        tool = str(uuid.uuid4())
        console.api("/v1/events", {"specversion": "1.0", "id": event_id, "source": "browser-test", "type": "tool.registered",
                                   "data": {"tool_id": tool, "name": "probe", "category": "test", "version": "1.0.0"}})
        published = time.monotonic()
        console.wait("the published event in the feed", lambda: console.all(f'tr[data-event-id="{event_id}"]'), timeout=2)
        print(f"     the event appeared {1000 * (time.monotonic() - published):.0f} ms after its publish was acknowledged")
        console.all(f'tr[data-event-id="{event_id}"]')[0].click()
        console.wait("the event shown whole", lambda: event_id in console.driver.find_element(By.ID, "event-detail").text)
        console.shot("events")

    def subject_history():
        agent = console.api("/v1/agents")["items"][0]["id"]
        console.open(f"subject?s={agent}")
        console.wait("the agent's timeline", lambda: len(console.all("#timeline li")) >= 1)
        console.shot("subject")

    def agents():
        console.open("agents")
        console.wait("agents with their status", lambda: console.all("#agent-rows tr[data-agent-id] .chip"))

    def plans():
        console.open("plans")
        console.wait("plans with a progress bar", lambda: console.all("#plan-rows tr[data-plan-id] .bar"))
        console.shot("plans")

    def dead_letters():
        console.open("dlq")
        row = f'#dlq-rows tr[data-event-id="{orphan}"]'
        console.wait("the dead letter listed", lambda: console.all(row), timeout=60)
        before = console.all(row)[0].get_attribute("data-ref")
        console.all(f'{row} [data-action="show"]')[0].click()
        console.wait("the dead letter shown", lambda: orphan in console.driver.find_element(By.ID, "dlq-detail").text)
        # Drop asks first; dismissed, nothing happens.
        console.all(f'{row} [data-action="drop"]')[0].click()
        console.wait("the confirmation", lambda: console.driver.switch_to.alert)
        console.driver.switch_to.alert.dismiss()
        assert any(l["event_id"] == orphan for l in console.api("/v1/dlq")), "a dismissed drop dropped the dead letter"
        console.shot("dead-letters")
        console.all(f'{row} [data-action="retry"]')[0].click()
        console.wait("the retry confirmed", lambda: "Re-delivered" in console.driver.find_element(By.ID, "dlq-notice").text)

        # Re-delivered: the worker handled it again (and, as it still fails, parked it anew).
        def redelivered():
            refs = [l["ref"] for l in console.api("/v1/dlq") if l["event_id"] == orphan]
            return refs and refs[0] != before
        console.wait("the retried event handled again", redelivered, timeout=60)

    def projections():
        console.open("projections")
        console.wait("the projections and their states", lambda: console.all('#projection-rows tr[data-state="live"]'))
        console.shot("projections")

    def schema_page():
        console.open("schemas")
        console.wait("every type listed", lambda: len(console.all("#schema-rows tr[data-type]")) == len(console.api("/v1/schemas")))
        console.wait("the stream live", lambda: console.all('#schema-stream [data-state="live"]'))
        console.api("/v1/events", {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "browser-test", "type": "tool.registered",
                                   "data": {"tool_id": str(uuid.uuid4()), "name": "rate", "category": "test", "version": "1.0.0"}})
        row = '#schema-rows tr[data-type="tool.registered"]'
        console.wait("the published event counted in its type's rate", lambda: int(console.all(row)[0].get_attribute("data-rate")) >= 1, timeout=10)

        console.all('#schema-rows tr[data-type="agent.created"]')[0].click()
        console.wait("its v1 → v2 diff with the breaking rename",
                     lambda: console.all('#diff-changes li[data-rule="property-removed"][data-breaking="true"]'))
        text = lambda: console.driver.find_element(By.ID, "schema-detail").text
        console.wait("its consumers, its upcaster and its example",
                     lambda: "worker agent-lifecycle" in text() and "upcasters/v1-to-v2.json" in text() and "agent_type" in text())
        console.shot("schemas")

    def errors_are_shown():
        console.open(f"subject?s=no-such-subject-{uuid.uuid4()}")
        console.wait("the API's error message", lambda: "not found" in console.driver.find_element(By.ID, "error").text)
        console.shot("error")

    for name, check in [("overview", overview), ("live feed", live_feed), ("subject history", subject_history), ("agents", agents),
                        ("plans", plans), ("dead letters", dead_letters), ("projections", projections), ("schemas", schema_page),
                        ("errors", errors_are_shown)]:
        console.check(name, check)


if __name__ == "__main__":
    main()
