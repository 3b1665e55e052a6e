#!/usr/bin/python3
"""Conformance: the official Python client (Debian python3-kubernetes) against `kexsim serve`.

Usage: python_client.py KUBECONFIG. Prints one line per check ("ok: ...", "FAIL: ...",
"known gap: ...") and exits 1 if any check failed, 77 if the client is not installed.
"""
import base64
import json
import sys
import time

try:
    import kubernetes
    from kubernetes.client.rest import ApiException
    from kubernetes.stream import stream
    from kubernetes import watch
except ImportError as e:
    print(f"skip: the Python client is not installed ({e}); scripts/install-deps installs python3-kubernetes")
    sys.exit(77)

FORBIDDEN = ('secrets is forbidden: User "system:serviceaccount:cicd:default" cannot create resource "secrets" '
             'in API group "" in the namespace "cicd"')
failures = []


def check(what, ok, detail=""):
    print(("ok: " if ok else "FAIL: ") + what + ("" if ok else f" -- {detail}"))
    if not ok:
        failures.append(what)


def core_api(kubeconfig, context):
    client = kubernetes.config.new_client_from_config(config_file=kubeconfig, context=context)
    return kubernetes.client.CoreV1Api(client)


def secret(name):
    return kubernetes.client.V1Secret(metadata=kubernetes.client.V1ObjectMeta(name=name), data={"a": "Yg=="})


def check_logs(admin):
    """pods/log: an exec's output is not the container's, the kubelet's words for a missing previous
    instance, and the log of a container that ended (an unprivileged dind: dockerd fails), followed."""
    log = admin.read_namespaced_pod_log("py-exec", "cicd", container="build")
    check("read_namespaced_pod_log: exec output is not in the container's log", log == "", repr(log))
    try:
        admin.read_namespaced_pod_log("py-exec", "cicd", previous=True)
        check("read_namespaced_pod_log(previous=True) -> 400", False, "it answered")
    except ApiException as e:
        message = json.loads(e.body or "{}").get("message")
        check("read_namespaced_pod_log(previous=True) -> 400 with the kubelet's words",
              e.status == 400 and message == 'previous terminated container "build" in pod "py-exec" not found',
              (e.status, message))

    dind = kubernetes.client.V1Pod(
        metadata=kubernetes.client.V1ObjectMeta(name="py-dind"),
        spec=kubernetes.client.V1PodSpec(restart_policy="Never", containers=[
            kubernetes.client.V1Container(name="dind", image="docker:24.0.6-dind")]))
    admin.create_namespaced_pod("cicd", dind)
    code = None
    for _ in range(100):  # the scenario's pod_pending_seconds pass in real time: poll at most 10 s
        statuses = admin.read_namespaced_pod("py-dind", "cicd").status.container_statuses or []
        if statuses and statuses[0].state.terminated:
            code = statuses[0].state.terminated.exit_code
            break
        time.sleep(0.1)
    check("an unprivileged dind ends: dockerd exits 1", code == 1, code)
    tail = admin.read_namespaced_pod_log("py-dind", "cicd", tail_lines=1)
    check("read_namespaced_pod_log(tail_lines=1): dockerd's last line", tail == " (exit status 3)\n", repr(tail))
    followed = admin.read_namespaced_pod_log("py-dind", "cicd", follow=True, _preload_content=False)
    lines = [line.decode() for line in followed.stream()]
    check("read_namespaced_pod_log(follow=True, _preload_content=False): dockerd's reason, then the end",
          any(line.startswith("failed to start daemon: ") for line in "".join(lines).splitlines()), lines)
    admin.delete_namespaced_pod("py-dind", "cicd")


def check_anonymous(kubeconfig):
    """No credentials at all: --anonymous-auth (kube-apiserver's default) makes the request system:anonymous,
    which RBAC lets read /version and no pods."""
    config = kubernetes.client.Configuration()
    kubernetes.config.load_kube_config(config_file=kubeconfig, client_configuration=config)
    config.api_key = {}
    config.api_key_prefix = {}
    anonymous = kubernetes.client.ApiClient(config)
    try:
        kubernetes.client.CoreV1Api(anonymous).list_namespaced_pod("cicd")
        check("anonymous list pods -> 403", False, "it answered")
    except ApiException as e:
        message = json.loads(e.body or "{}").get("message")
        check("anonymous list pods -> 403 as system:anonymous",
              e.status == 403 and message == ('pods is forbidden: User "system:anonymous" cannot list resource "pods" '
                                             'in API group "" in the namespace "cicd"'), (e.status, message))
    version = kubernetes.client.VersionApi(anonymous).get_code()
    check("anonymous GET /version answers (system:public-info-viewer)", version.git_version == "v1.33.0",
          version.git_version)


def main(kubeconfig):
    print(f"python3-kubernetes {kubernetes.__version__}")
    kubernetes.config.load_kube_config(config_file=kubeconfig)
    admin = kubernetes.client.CoreV1Api()
    runner = core_api(kubeconfig, "runner")
    check_anonymous(kubeconfig)

    names = sorted(ns.metadata.name for ns in admin.list_namespace().items)
    check("list namespaces has cicd and default", "cicd" in names and "default" in names, names)

    created = admin.create_namespaced_secret("cicd", secret("py-secret"))
    check("admin creates secret cicd/py-secret", created.metadata.name == "py-secret", created.metadata)
    read = admin.read_namespaced_secret("py-secret", "cicd")
    value = base64.b64decode(read.data.get("a", "")).decode() if read.data else None
    check("admin reads it back with a=b", value == "b", read.data)

    try:
        runner.create_namespaced_secret("cicd", secret("py-runner-secret"))
        check("runner is forbidden to create a secret", False, "the create succeeded")
    except ApiException as e:
        body = json.loads(e.body or "{}")
        check("runner create secret -> 403", e.status == 403, e.status)
        check("runner create secret -> Forbidden message", body.get("message") == FORBIDDEN, body.get("message"))

    pod = kubernetes.client.V1Pod(
        metadata=kubernetes.client.V1ObjectMeta(name="py-exec"),
        spec=kubernetes.client.V1PodSpec(restart_policy="Never", containers=[
            kubernetes.client.V1Container(name="build", image="alpine:3.20", command=["sleep", "3600"])]))
    admin.create_namespaced_pod("cicd", pod)
    # The scenario's pod_pending_seconds pass in real time in serve mode: watch the pod start (at most 10 s).
    seen = []
    w = watch.Watch()
    for event in w.stream(admin.list_namespaced_pod, "cicd", field_selector="metadata.name=py-exec",
                          timeout_seconds=10):
        seen.append((event["type"], event["object"].status.phase))
        if event["object"].status.phase == "Running":
            w.stop()
    check("watch: ADDED (Pending) then MODIFIED (Running)",
          seen == [("ADDED", "Pending"), ("MODIFIED", "Running")], seen)
    phase = admin.read_namespaced_pod("py-exec", "cicd").status.phase
    check("pod cicd/py-exec reaches Running", phase == "Running", phase)
    listed = admin.list_namespaced_pod("cicd")
    ended = list(watch.Watch().stream(admin.list_namespaced_pod, "cicd", timeout_seconds=1,
                                      resource_version=listed.metadata.resource_version))
    check("watch from the list's resourceVersion ends quietly at timeout_seconds", ended == [], ended)

    try:
        ws = stream(admin.connect_get_namespaced_pod_exec, "py-exec", "cicd", container="build",
                    command=["sh", "-c", "echo hi; exit 3"], stderr=True, stdin=False, stdout=True, tty=False,
                    _preload_content=False)
        ws.run_forever(timeout=10)
        out = ws.read_stdout()
        code = ws.returncode
        ws.close()
        check("exec prints hi", out == "hi\n", repr(out))
        check("exec exit code 3", code == 3, code)
    except Exception as e:  # noqa: BLE001 -- any failure of the stream API is recorded, not hidden
        print(f"known gap: exec through kubernetes.stream failed: {type(e).__name__}: {e}")

    check_logs(admin)

    rv = admin.list_namespaced_pod("cicd").metadata.resource_version
    admin.delete_namespaced_pod("py-exec", "cicd")
    gone = [(e["type"], e["object"].metadata.name) for e in
            watch.Watch().stream(admin.list_namespaced_pod, "cicd", resource_version=rv, timeout_seconds=1)]
    check("watch sees the pod DELETED", gone == [("DELETED", "py-exec")], gone)
    admin.delete_namespaced_secret("py-secret", "cicd")
    check("pod and secret deleted", "py-exec" not in [p.metadata.name for p in admin.list_namespaced_pod("cicd").items])
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python_client.py KUBECONFIG", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
