#!/usr/bin/env python3
"""Crash and fault run (issue 11): the portal in `aws` mode against a standalone ecs-sim whose
clock is hours away from the portal's, killed with SIGKILL at random points of a sequence of
updates that alternate between two revisions, while ECS throttles 30% of calls, answers 10%
with ServerException and loses the answer of 5% of the changes it makes.

Afterwards, with the faults off, it checks what ECS did against what the portal recorded:
  duplicated     deployments in ECS that no request claims (a call sent twice)
  lost           requests that ended without a deployment, or whose deployment ECS lacks
  mis-attributed deployments claimed twice, or whose target is not the request's revision
  stuck          requests not ended 5 minutes after the last kill
  state mismatch a request whose final state disagrees with its deployment's ECS status,
                 or a fleet that does not run the newest request's revision
and exits 1 if any is not zero. Usage: bench/crash/run.sh [KILLS] (default 24).
"""
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KILLS = int(sys.argv[1]) if len(sys.argv) > 1 else 24
SEED = int(os.environ.get("SEED", str(random.randrange(1 << 30))))
CLOCK_OFFSET = int(os.environ.get("CLOCK_OFFSET_SECS", "-7200"))
ACCOUNT = "123456789012"
DAEMON = f"arn:aws:ecs:us-east-1:{ACCOUNT}:daemon/prod/crashy"
FAULTS = {"throttleRate": 0.3, "serverErrorRate": 0.1, "lostResponseRate": 0.05}
PASSWORD = "crash-run-password-1"
rng = random.Random(SEED)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http(method, url, body=None, headers=None, timeout=20):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers


class Sim:
    def __init__(self, binary):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [binary, "--addr", f"127.0.0.1:{self.port}", "--speed", "30",
             "--clock-offset-secs", str(CLOCK_OFFSET)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(f"{self.url}/_sim/health")

    def faults(self, f):
        status, body, _ = http("POST", f"{self.url}/_sim/faults", json.dumps(f).encode(),
                               {"content-type": "application/json"})
        assert status == 200, body

    def ecs(self, op, payload):
        status, body, _ = http("POST", self.url + "/", json.dumps(payload).encode(), {
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": f"AmazonEC2ContainerServiceV20141113.{op}",
            "authorization": "AWS4-HMAC-SHA256 Credential=crash/20260101/us-east-1/ecs/aws4_request",
        })
        assert status == 200, f"{op}: {status} {body}"
        return json.loads(body)

    def requests(self):
        status, body, _ = http("GET", f"{self.url}/_sim/requests")
        return json.loads(body)


class Portal:
    def __init__(self, binary, sim_url, tmp):
        self.binary = binary
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ,
                        PORTAL_ECS_MODE="aws", AWS_ENDPOINT_URL_ECS=sim_url, AWS_REGION="us-east-1",
                        AWS_ACCESS_KEY_ID="crash", AWS_SECRET_ACCESS_KEY="crash",
                        DATABASE_URL=f"sqlite://{tmp}/portal.db", PORTAL_LISTEN=f"127.0.0.1:{self.port}",
                        PORTAL_ADMIN_PASSWORD=PASSWORD, PORTAL_WORKER_INTERVAL_MS="200",
                        PORTAL_ROLES=f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
                        LEPTOS_SITE_ROOT=os.path.join(ROOT, "target/site"), RUST_LOG="warn")
        self.proc = None
        self.cookie = ""

    def start(self):
        self.proc = subprocess.Popen([self.binary], env=self.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_for(f"{self.url}/healthz")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def login(self):
        status, body, headers = http("POST", f"{self.url}/api/login",
                                     urllib.parse.urlencode({"username": "admin", "password": PASSWORD}).encode(),
                                     {"content-type": "application/x-www-form-urlencoded",
                                      "accept": "application/json", "origin": self.url})
        assert status < 400, body
        self.cookie = next(c.split(";")[0] for c in headers.get_all("set-cookie") if c.startswith("portal_session="))

    def call(self, endpoint, form, retry=True):
        """A server function as a form posts it; retried while ECS throttles the read it needs."""
        for _ in range(60):
            try:
                status, body, _ = http("POST", f"{self.url}/api/{endpoint}", urllib.parse.urlencode(form).encode(),
                                       {"content-type": "application/x-www-form-urlencoded",
                                        "accept": "application/json", "cookie": self.cookie,
                                        "origin": self.url})
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                status, body = 0, "unreachable"
            if status == 200 or not retry:
                return status, json.loads(body) if body.startswith(("{", "[", '"')) else body
            time.sleep(0.3)
        raise RuntimeError(f"{endpoint}: {status} {body}")


def wait_for(url, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if http("GET", url, timeout=2)[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def deploy_form(revision, update):
    f = [("form[cluster]", "prod"), ("form[daemon_name]", "crashy"), ("form[family]", "crash-agent"),
         ("form[revision]", str(revision)),
         ("form[capacity_providers][0]", "mi-prod-a"), ("form[capacity_providers][1]", "mi-prod-b"),
         ("form[drain_percent]", "100"), ("form[bake_time]", "0"), ("form[critical]", "on"),
         ("form[propagate_tags]", "NONE")]
    if update:
        f.append(("form[daemon_arn]", DAEMON))
    return f


def main():
    sim = Sim(os.path.join(ROOT, "target/debug/ecs-sim"))
    tmp = tempfile.mkdtemp(prefix="crash-run.")
    portal = Portal(os.environ.get("PORTAL_BIN", os.path.join(ROOT, "target/debug/server")), sim.url, tmp)
    portal.start()
    portal.login()
    # Approvals are not what this run is about: prod's requests execute when submitted.
    portal.call("admin-save-policy", [("form[cluster]", "prod"), ("form[capacity_provider]", ""),
                                      ("form[approvals_required]", "0"), ("form[approver_teams]", ""),
                                      ("form[expiry_hours]", "72")])
    for image in ["amazon/cloudwatch-agent:1", "amazon/cloudwatch-agent:2"]:
        status, body = portal.call("create-task-definition", [
            ("form[family]", "crash-agent"),
            ("form[execution_role]", f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"),
            ("form[containers][0][name]", "agent"), ("form[containers][0][image]", image),
            ("form[containers][0][essential]", "on"), ("form[containers][0][cpu]", "0.25"),
            ("form[containers][0][memory]", "0.25")])
    status, body = portal.call("deploy-daemon", deploy_form(1, False))
    ids = [body["request"]["id"]]
    wait_ended(portal, ids, 120)
    first = request(portal, ids[0])
    assert first["row"]["state"] == "succeeded", first

    sim.faults(FAULTS)
    kills = 0
    started = time.time()
    for i in range(KILLS):
        revision = 2 if i % 2 == 0 else 1
        status, body = portal.call("deploy-daemon", deploy_form(revision, True))
        ids.append(body["request"]["id"])
        # Anywhere from before the call to well into the rollout.
        time.sleep(rng.uniform(0.0, 2.5))
        portal.kill()
        kills += 1
        portal.start()
    sim.faults({})
    stuck = wait_ended(portal, ids, 300)
    elapsed = time.time() - started

    report = check(sim, portal, ids)
    report.update(kills=kills, updates=len(ids) - 1, seed=SEED, clock_offset_secs=CLOCK_OFFSET,
                  faults=FAULTS, stuck=len(stuck), seconds=round(elapsed))
    portal.kill()
    sim.proc.kill()
    print(json.dumps(report, indent=2))
    bad = ["duplicated", "lost", "mis_attributed", "stuck", "state_mismatch"]
    print(f"{report['kills']} kills, {report['updates']} updates, {report['update_daemon_calls_applied']} UpdateDaemon "
          f"applied: " + ", ".join(f"{k} {report[k]}" for k in bad))
    sys.exit(1 if any(report[k] for k in bad) else 0)


def request(portal, rid):
    status, body = portal.call("get-change-request", [("id", rid)])
    return body


def wait_ended(portal, ids, seconds):
    end = time.time() + seconds
    open_ = list(ids)
    while open_ and time.time() < end:
        open_ = [i for i in open_ if request(portal, i)["row"]["state"] in ("pending", "approved", "executing")]
        if open_:
            time.sleep(1)
    return open_


def check(sim, portal, ids):
    reqs = [request(portal, i) for i in ids]
    deployments, token = [], None
    while True:
        page = sim.ecs("ListDaemonDeployments", {"daemonArn": DAEMON, "maxResults": 100, **({"nextToken": token} if token else {})})
        deployments += page.get("daemonDeployments", [])
        token = page.get("nextToken")
        if not token:
            break
    by_arn = {d["daemonDeploymentArn"]: d for d in deployments}
    revs = sorted({d["targetDaemonRevisionArn"] for d in deployments if d.get("targetDaemonRevisionArn")})
    td_of_rev = {}
    for k in range(0, len(revs), 20):
        out = sim.ecs("DescribeDaemonRevisions", {"daemonRevisionArns": revs[k:k + 20]})
        td_of_rev.update({r["daemonRevisionArn"]: r["daemonTaskDefinitionArn"] for r in out["daemonRevisions"]})
    claimed = [r["deployment_arn"] for r in reqs if r["deployment_arn"]]
    lost = [r["row"]["id"] for r in reqs
            if (not r["deployment_arn"] and r["row"]["state"] != "failed") or
            (r["deployment_arn"] and r["deployment_arn"] not in by_arn)]
    failed = [(r["row"]["id"], r.get("outcome", "")) for r in reqs if r["row"]["state"] == "failed"]
    mis = [a for a in set(claimed) if claimed.count(a) > 1]
    mismatch = []
    for r in reqs:
        d = by_arn.get(r["deployment_arn"])
        if not d:
            continue
        td = td_of_rev.get(d.get("targetDaemonRevisionArn", ""), "")
        if not td.endswith(r["row"]["to_revision"]):
            mis.append(r["deployment_arn"])
        want = {"succeeded": "SUCCESSFUL", "stopped": "STOPPED", "rolled_back": "ROLLBACK_SUCCESSFUL"}.get(r["row"]["state"])
        if want != d["status"]:
            mismatch.append((r["row"]["id"], r["row"]["state"], d["status"]))
    duplicated = [a for a in by_arn if a not in claimed]
    # The fleet runs the revision of the newest request that has a deployment.
    newest = next(r for r in reversed(reqs) if r["deployment_arn"])
    daemon = sim.ecs("DescribeDaemon", {"daemonArn": DAEMON})["daemon"]
    current = [c["arn"] for c in daemon.get("currentRevisions", [])]
    out = sim.ecs("DescribeDaemonRevisions", {"daemonRevisionArns": current})
    running = sorted({r["daemonTaskDefinitionArn"].rsplit("/", 1)[-1] for r in out["daemonRevisions"]})
    if running != [newest["row"]["to_revision"]]:
        mismatch.append(("fleet", running, newest["row"]["to_revision"]))
    applied = sum(1 for d in deployments if d.get("targetDaemonRevisionArn")) - 1
    log = sim.requests()
    entries = log.get("requests", log) if isinstance(log, dict) else log
    sent = sum(1 for e in entries if isinstance(e, dict) and e.get("operation", e.get("op")) == "UpdateDaemon")
    return {
        "update_daemon_calls_applied": applied,
        "update_daemon_calls_sent": sent,
        "update_requests_with_deployment": len(claimed) - 1,
        "duplicated": len(duplicated), "lost": len(lost), "mis_attributed": len(mis),
        "state_mismatch": len(mismatch), "failed": failed, "details": {
            "duplicated": duplicated, "lost": lost, "mis_attributed": mis, "state_mismatch": mismatch},
    }


if __name__ == "__main__":
    main()
