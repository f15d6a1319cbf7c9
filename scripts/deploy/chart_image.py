#!/usr/bin/env python3
"""Checks that the Helm chart's renders hold together and agree with the container image.

usage:
  chart_image.py render RENDERED.yaml...
      Cross-object checks kubernetes-validate cannot make: selectors match the pod labels, the
      Service and ServiceMonitor name the container's port, probes are set, the migration job
      runs like the server, and the Prometheus Operator resources (no schema offline) have
      their required fields.
  chart_image.py podman RENDERED.yaml CONFIG_OUT
      Prints bash assignments to run the image as the chart's Deployment would: PODMAN_FLAGS
      (user, read-only root, dropped capabilities, no-new-privileges, tmpfs for emptyDirs),
      SERVER_ARGS, CONTAINER_PORT, READINESS_PATH, LIVENESS_PATH, STARTUP_PATH, CONFIG_PATH;
      writes the ConfigMap's configuration file to CONFIG_OUT.
  chart_image.py image RENDERED.yaml IMAGE_CONFIG.json
      Compares the Deployment with the image's OCI config (skopeo inspect --config): port,
      user and group, exec-form entrypoint, stop signal.
Needs PyYAML (installed with kubernetes-validate).
"""
import json
import shlex
import sys

import yaml


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def one(docs, kind, errors):
    found = [d for d in docs if d.get("kind") == kind]
    if len(found) != 1:
        errors.append(f"expected one {kind}, found {len(found)}")
        return None
    return found[0]


def server_container(deployment):
    containers = deployment["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if c["name"] == "server")


def effective(pod, container, key):
    """A securityContext field, the container's overriding the pod's."""
    value = (container.get("securityContext") or {}).get(key)
    return value if value is not None else (pod.get("securityContext") or {}).get(key)


def check_render(path):
    docs = load(path)
    errors = []
    deployment = one(docs, "Deployment", errors)
    service = one(docs, "Service", errors)
    if not deployment or not service:
        return errors
    pod = deployment["spec"]["template"]["spec"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    container = server_container(deployment)
    port_names = {p["name"]: p["containerPort"] for p in container.get("ports", [])}

    def selects(selector, what):
        if any(labels.get(k) != v for k, v in selector.items()):
            errors.append(f"{what} selector {selector} does not match the pod labels {labels}")

    selects(deployment["spec"]["selector"]["matchLabels"], "Deployment")
    selects(service["spec"]["selector"], "Service")
    for port in service["spec"]["ports"]:
        if port["targetPort"] not in port_names and port["targetPort"] not in port_names.values():
            errors.append(f"Service targetPort {port['targetPort']} is not a container port {port_names}")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        get = (container.get(probe) or {}).get("httpGet")
        if not get:
            errors.append(f"server container has no {probe} httpGet")
        elif get["port"] not in port_names and get["port"] not in port_names.values():
            errors.append(f"{probe} port {get['port']} is not a container port")
    if (container.get("readinessProbe") or {}).get("httpGet", {}).get("path") != "/readyz":
        errors.append("readinessProbe must ask /readyz")
    if (container.get("livenessProbe") or {}).get("httpGet", {}).get("path") != "/healthz":
        errors.append("livenessProbe must ask /healthz")
    if not effective(pod, container, "runAsNonRoot"):
        errors.append("the server does not run as non-root")
    if not (container.get("securityContext") or {}).get("readOnlyRootFilesystem"):
        errors.append("the server's root filesystem is not read-only")
    if "ALL" not in ((container.get("securityContext") or {}).get("capabilities") or {}).get("drop", []):
        errors.append("the server does not drop all capabilities")
    annotations = deployment["spec"]["template"]["metadata"].get("annotations") or {}
    if "checksum/config" not in annotations:
        errors.append("the pod template has no checksum/config annotation")
    for kind in ("HorizontalPodAutoscaler",):
        for hpa in (d for d in docs if d.get("kind") == kind):
            if hpa["spec"]["scaleTargetRef"]["name"] != deployment["metadata"]["name"]:
                errors.append("the HPA does not scale the Deployment")
            if "replicas" in deployment["spec"]:
                errors.append("with an HPA the Deployment must not set replicas")
    for pdb in (d for d in docs if d.get("kind") == "PodDisruptionBudget"):
        selects(pdb["spec"]["selector"]["matchLabels"], "PodDisruptionBudget")
    for policy in (d for d in docs if d.get("kind") == "NetworkPolicy"):
        selects(policy["spec"]["podSelector"]["matchLabels"], "NetworkPolicy")
        for rule in policy["spec"].get("ingress", []):
            for port in rule.get("ports", []):
                if port["port"] not in port_names and port["port"] not in port_names.values():
                    errors.append(f"NetworkPolicy allows port {port['port']}, not a container port")
    for job in (d for d in docs if d.get("kind") == "Job"):
        job_pod = job["spec"]["template"]["spec"]
        job_container = job_pod["containers"][0]
        if job_container["image"] != container["image"]:
            errors.append("the migration job runs another image than the server")
        if job_container.get("args", [])[:1] != ["migrate"]:
            errors.append("the migration job does not run `migrate`")
        if job_container.get("securityContext") != container.get("securityContext"):
            errors.append("the migration job's container securityContext differs from the server's")
        hooks = (job["metadata"].get("annotations") or {}).get("helm.sh/hook", "")
        if set(hooks.split(",")) != {"pre-install", "pre-upgrade"}:
            errors.append(f"the migration job's hooks are {hooks!r}")
        env_names = {e["name"] for e in job_container.get("env", [])}
        if "DATABASE_URL" not in env_names:
            errors.append("the migration job has no DATABASE_URL")
    for monitor in (d for d in docs if d.get("kind") == "ServiceMonitor"):
        spec = monitor.get("spec") or {}
        selects(spec.get("selector", {}).get("matchLabels", {}), "ServiceMonitor")
        service_ports = {p["name"] for p in service["spec"]["ports"]}
        for endpoint in spec.get("endpoints", []):
            if endpoint.get("port") not in service_ports:
                errors.append(f"ServiceMonitor port {endpoint.get('port')} is not a Service port {service_ports}")
            if endpoint.get("path") != "/metrics":
                errors.append("ServiceMonitor does not scrape /metrics")
        if not spec.get("endpoints"):
            errors.append("ServiceMonitor has no endpoints")
    for rule in (d for d in docs if d.get("kind") == "PrometheusRule"):
        for group in rule["spec"]["groups"]:
            for alert in group["rules"]:
                if not alert.get("alert") or not alert.get("expr"):
                    errors.append(f"PrometheusRule rule without alert or expr: {alert}")
    return errors


def podman(path, config_out):
    docs = load(path)
    errors = []
    deployment = one(docs, "Deployment", errors)
    configmap = one(docs, "ConfigMap", errors)
    if errors:
        raise SystemExit("\n".join(errors))
    pod = deployment["spec"]["template"]["spec"]
    container = server_container(deployment)
    context = container.get("securityContext") or {}
    flags = [f"--user={effective(pod, container, 'runAsUser')}:{effective(pod, container, 'runAsGroup')}"]
    if context.get("readOnlyRootFilesystem"):
        flags.append("--read-only")
    for capability in (context.get("capabilities") or {}).get("drop", []):
        flags.append(f"--cap-drop={capability}")
    if context.get("allowPrivilegeEscalation") is False:
        flags.append("--security-opt=no-new-privileges")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    config_path = None
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        if "emptyDir" in volume:
            flags.append(f"--tmpfs={mount['mountPath']}:rw,size=64m,mode=1777")
        elif "configMap" in volume:
            with open(config_out, "w") as f:
                f.write(configmap["data"][mount["subPath"]])
            flags.append(f"--volume={config_out}:{mount['mountPath']}:ro")
            config_path = mount["mountPath"]
    port = container["ports"][0]["containerPort"]
    print(f"PODMAN_FLAGS=({' '.join(shlex.quote(f) for f in flags)})")
    print(f"SERVER_ARGS=({' '.join(shlex.quote(a) for a in container.get('args', []))})")
    print(f"CONTAINER_PORT={port}")
    print(f"CONFIG_PATH={shlex.quote(config_path or '')}")
    for probe, name in (("readinessProbe", "READINESS_PATH"), ("livenessProbe", "LIVENESS_PATH"), ("startupProbe", "STARTUP_PATH")):
        print(f"{name}={shlex.quote(container[probe]['httpGet']['path'])}")


def image(path, config_path):
    docs = load(path)
    errors = []
    deployment = one(docs, "Deployment", errors)
    if errors:
        return errors
    with open(config_path) as f:
        config = json.load(f).get("config", {})
    pod = deployment["spec"]["template"]["spec"]
    container = server_container(deployment)
    exposed = set((config.get("ExposedPorts") or {}).keys())
    for port in container.get("ports", []):
        if f"{port['containerPort']}/tcp" not in exposed:
            errors.append(f"containerPort {port['containerPort']} is not EXPOSEd by the image {sorted(exposed)}")
    image_user = (config.get("User") or "0").split(":")
    uid, gid = str(effective(pod, container, "runAsUser")), str(effective(pod, container, "runAsGroup"))
    if image_user[0] in ("", "0", "root"):
        errors.append("the image runs as root")
    if image_user[0] != uid:
        errors.append(f"the chart's runAsUser {uid} differs from the image's USER {image_user[0]}")
    if len(image_user) > 1 and image_user[1] != gid:
        errors.append(f"the chart's runAsGroup {gid} differs from the image's group {image_user[1]}")
    entrypoint = config.get("Entrypoint") or []
    if not entrypoint or not entrypoint[0].startswith("/") or entrypoint[0] in ("/bin/sh", "/bin/bash"):
        errors.append(f"the entrypoint is not an exec-form binary: {entrypoint}")
    if config.get("StopSignal") not in (None, "SIGTERM", "15"):
        errors.append(f"the stop signal is {config.get('StopSignal')}, not SIGTERM")
    if container.get("command"):
        errors.append("the chart overrides the image's entrypoint")
    return errors


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "render" and len(sys.argv) >= 3:
        errors = [f"{path}: {error}" for path in sys.argv[2:] for error in check_render(path)]
    elif command == "podman" and len(sys.argv) == 4:
        podman(sys.argv[2], sys.argv[3])
        return 0
    elif command == "image" and len(sys.argv) == 4:
        errors = image(sys.argv[2], sys.argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
