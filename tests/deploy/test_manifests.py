"""The deployment files, checked offline: Kubernetes manifests and the compose file.

Both Kustomize overlays are rendered with the kubectl of the project's virtual environment and
every object is validated against the OpenAPI schemas of pinned Kubernetes versions (strict:
unknown fields fail) with kubernetes-validate. The schemas cannot see how objects refer to each
other, so the tests below also check the wiring: selectors, ConfigMap and Secret names, probes,
ports, security settings, NetworkPolicies and autoscaler bounds. No cluster is involved.
"""

from __future__ import annotations

import copy
import functools
import re
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from nwd_shared.directory import load_directory
from nwd_shared.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
OVERLAYS = ("dev", "production")
BIN = Path(sys.executable).parent
KUBECTL = BIN / "kubectl"
CHECK_JSONSCHEMA = BIN / "check-jsonschema"
# The oldest Kubernetes minor the manifests claim to support, and the newest whose schemas the
# pinned kubernetes-validate ships. Each must be present as such (validate() would otherwise
# quietly fall back to an older schema set).
KUBERNETES_VERSIONS = ("1.31", "1.37")
NAMESPACE = "nwd"
COMMON_LABELS = {"app.kubernetes.io/part-of": "no-wrong-door", "app.kubernetes.io/managed-by": "kustomize"}
CONTAINER_USER = 10001  # deploy/Dockerfile's nwd user
MAIN_TOPIC_PARTITIONS = 6  # docker-compose.yml's kafka-init
CLUSTER_SCOPED = {"Namespace"}


# --- the contract ---------------------------------------------------------------------------------


@functools.cache
def contract_ports() -> dict[str, int]:
    """Service -> port from docs/contract.md, read two ways that must agree."""
    text = (REPO / "docs" / "contract.md").read_text(encoding="utf-8")
    headings = {name.lower(): int(port) for name, port in re.findall(r"^### (\w+) \((\d+)\)$", text, re.M)}
    running = text.split("## Running it", 1)[1].split("\n## ", 1)[0]
    listed = {name: int(port) for name, port in re.findall(r"\b([a-z]+) (\d{4})\b", running) if name in headings}
    assert headings == listed, f"contract.md disagrees with itself: {headings} vs {listed}"
    return headings


def services() -> list[str]:
    return sorted(contract_ports())


# --- rendering ------------------------------------------------------------------------------------


@functools.cache
def render(kustomization: str) -> tuple[dict, ...]:
    """`kubectl kustomize deploy/k8s/<kustomization>`, as parsed documents."""
    assert KUBECTL.exists(), f"kubectl is not in the virtual environment ({KUBECTL}); run make install"
    result = subprocess.run([str(KUBECTL), "kustomize", str(K8S / kustomization)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"kubectl kustomize {kustomization} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def objects(kustomization: str, kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in render(kustomization) if o["kind"] == kind}


def one(kustomization: str, kind: str, name: str) -> dict:
    found = objects(kustomization, kind)
    assert name in found, f"{kustomization}: no {kind} {name} (have {sorted(found)})"
    return found[name]


def generated(kustomization: str, kind: str, base_name: str) -> dict:
    """The ConfigMap or Secret Kustomize generated from `base_name` (hash suffix or not)."""
    found = [o for n, o in objects(kustomization, kind).items()
             if n == base_name or re.fullmatch(rf"{re.escape(base_name)}-[a-z0-9]{{10}}", n)]
    assert len(found) == 1, f"{kustomization}: expected one {kind} {base_name}, found {len(found)}"
    return found[0]


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def matches(selector: dict, labels: dict) -> bool:
    assert set(selector) <= {"matchLabels"}, f"only matchLabels selectors are used here: {selector}"
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


overlay = pytest.mark.parametrize("overlay", OVERLAYS)


@pytest.fixture(scope="module", autouse=True)
def schemas_read_once():
    """kubernetes-validate re-reads its 1.3 MB definitions file for every object; read each once."""
    utils = kubernetes_validate.utils
    original = utils.schema_contents
    utils.schema_contents = functools.cache(original)
    yield
    utils.schema_contents = original


# --- schema validation ----------------------------------------------------------------------------


@overlay
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_validates_against_the_pinned_kubernetes_schemas(overlay, version):
    problems = []
    for obj in render(f"overlays/{overlay}"):
        where = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
        try:
            validated = kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(p) for p in error.path)
            problems.append(f"{where}: {path}: {error.message}")
            continue
        except kubernetes_validate.SchemaNotFoundError as error:
            problems.append(f"{where}: {error.message}")
            continue
        assert validated == version, f"validated {where} against {validated}, not {version}"
    assert not problems, f"{overlay} against Kubernetes {version}:\n" + "\n".join(problems)


def test_strict_validation_rejects_an_unknown_field():
    """The schema check would catch a misspelt field (it is strict, not just well-formed YAML)."""
    deployment = copy.deepcopy(one("overlays/production", "Deployment", "intake"))
    pod_spec(deployment)["containers"][0]["readinesProbe"] = {"httpGet": {"path": "/readyz", "port": "http"}}
    with pytest.raises(kubernetes_validate.ValidationError, match="readinesProbe"):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


# --- what every service has -----------------------------------------------------------------------


@overlay
def test_each_service_has_its_workload_service_budget_autoscaler_policy_and_migration_job(overlay):
    kustomization = f"overlays/{overlay}"
    for name in services():
        for kind in ("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy"):
            one(kustomization, kind, name)
        one(kustomization, "Job", f"{name}-migrate")
    deployments = set(objects(kustomization, "Deployment"))
    assert deployments == set(services()), "a Deployment for each service of contract.md, and nothing else"


@overlay
def test_everything_is_in_the_nwd_namespace_with_the_common_labels(overlay):
    for obj in render(f"overlays/{overlay}"):
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        if obj["kind"] in CLUSTER_SCOPED:
            assert obj["metadata"]["name"] == NAMESPACE, where
        else:
            assert obj["metadata"].get("namespace") == NAMESPACE, where
        labels = obj["metadata"].get("labels", {})
        assert COMMON_LABELS.items() <= labels.items(), f"{where}: labels {labels}"
    namespace = one(f"overlays/{overlay}", "Namespace", NAMESPACE)
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


@overlay
def test_deployments_probe_livez_and_readyz_and_drain_on_shutdown(overlay):
    for name, port in contract_ports().items():
        deployment = one(f"overlays/{overlay}", "Deployment", name)
        spec = pod_spec(deployment)
        [container] = spec["containers"]
        assert container["args"] == ["serve"]
        assert [(p["name"], p["containerPort"]) for p in container["ports"]] == [("http", port)]
        for probe, path in (("startupProbe", "/livez"), ("livenessProbe", "/livez"), ("readinessProbe", "/readyz")):
            assert container[probe]["httpGet"] == {"path": path, "port": "http"}, f"{name} {probe}"
        sleep = container["lifecycle"]["preStop"]["exec"]["command"]
        assert sleep[0] == "sleep" and int(sleep[1]) > 0
        # The service's own worst-case drain after SIGTERM: in-flight requests 15 s (cli.py), handlers
        # and offset commits 10 s, the relay's last batch 5 s, the outbox drain 5 s (app.py, settings).
        drain = 15 + 10 + 5 + ServiceSettings.model_fields["shutdown_drain_seconds"].default
        assert spec["terminationGracePeriodSeconds"] >= int(sleep[1]) + drain, name
        assert "replicas" not in deployment["spec"], "the HorizontalPodAutoscaler owns the replica count"


@overlay
def test_containers_have_resources_and_run_hardened_as_non_root(overlay):
    kustomization = f"overlays/{overlay}"
    workloads = [one(kustomization, "Deployment", n) for n in services()]
    workloads += [one(kustomization, "Job", f"{n}-migrate") for n in services()]
    for workload in workloads:
        where = f"{workload['kind']}/{workload['metadata']['name']}"
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["runAsUser"] == CONTAINER_USER, where
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert spec["automountServiceAccountToken"] is False, where
        assert spec["enableServiceLinks"] is False, where
        for container in spec["containers"]:
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), f"{where} {bound}"
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            volumes = {v["name"]: v for v in spec["volumes"]}
            assert "emptyDir" in volumes[mounts["/tmp"]], f"{where}: /tmp must be a writable emptyDir"


@overlay
def test_configuration_comes_from_the_configmap_and_the_database_url_from_a_secret(overlay):
    kustomization = f"overlays/{overlay}"
    config = generated(kustomization, "ConfigMap", "nwd-config")
    directory = generated(kustomization, "ConfigMap", "nwd-organisations")
    assert config["data"]["NWD_KAFKA_ENABLE_IDEMPOTENCE"] == "true"
    assert config["data"]["NWD_MIGRATE_ON_START"] == "false"
    assert config["data"]["NWD_KAFKA_BOOTSTRAP_SERVERS"]
    for name, port in contract_ports().items():
        for workload in (one(kustomization, "Deployment", name), one(kustomization, "Job", f"{name}-migrate")):
            spec = pod_spec(workload)
            [container] = spec["containers"]
            assert [e["configMapRef"]["name"] for e in container["envFrom"]] == [config["metadata"]["name"]]
            env = {e["name"]: e for e in container["env"]}
            url = env[f"NWD_{name.upper()}_DATABASE_URL"]
            assert "value" not in url, "a database URL holds a password: never inline"
            assert url["valueFrom"]["secretKeyRef"] == {"name": f"nwd-{name}-database", "key": "url"}
        spec = pod_spec(one(kustomization, "Deployment", name))
        [container] = spec["containers"]
        assert {e["name"]: e.get("value") for e in container["env"]}["NWD_PORT"] == str(port)
        # NWD_ORGANISATIONS_FILE names a file of the mounted directory ConfigMap.
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        volume = {v["name"]: v for v in spec["volumes"]}["organisations"]
        assert volume["configMap"]["name"] == directory["metadata"]["name"]
        path = Path(config["data"]["NWD_ORGANISATIONS_FILE"])
        assert str(path.parent) == mounts["organisations"] and path.name in directory["data"]


@overlay
def test_selectors_reach_the_pods_they_are_meant_for(overlay):
    kustomization = f"overlays/{overlay}"
    for name, port in contract_ports().items():
        deployment = one(kustomization, "Deployment", name)
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert matches(deployment["spec"]["selector"], pod_labels)
        service = one(kustomization, "Service", name)
        assert service["spec"]["selector"].items() <= pod_labels.items()
        assert [(p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [(port, "http")]
        assert matches(one(kustomization, "PodDisruptionBudget", name)["spec"]["selector"], pod_labels)
        assert matches(one(kustomization, "NetworkPolicy", name)["spec"]["podSelector"], pod_labels)
        target = one(kustomization, "HorizontalPodAutoscaler", name)["spec"]["scaleTargetRef"]
        assert target == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        job = one(kustomization, "Job", f"{name}-migrate")
        assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
        assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
        job_labels = job["spec"]["template"]["metadata"]["labels"]
        assert not service["spec"]["selector"].items() <= job_labels.items(), "the Service must not select the Job"
        assert matches(one(kustomization, "NetworkPolicy", "migrations")["spec"]["podSelector"], job_labels)


@overlay
def test_migrations_can_be_applied_before_the_servers(overlay):
    """README's first apply (`-l 'app.kubernetes.io/component!=server'`) brings the Jobs and what they need."""
    first = [o for o in render(f"overlays/{overlay}")
             if o["metadata"].get("labels", {}).get("app.kubernetes.io/component") != "server"]
    kinds = {o["kind"] for o in first}
    assert {"Namespace", "ConfigMap", "Job", "NetworkPolicy"} <= kinds
    assert not kinds & {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"}
    assert {o["metadata"]["name"] for o in first if o["kind"] == "Job"} == {f"{s}-migrate" for s in services()}
    secrets = {o["metadata"]["name"] for o in render(f"overlays/{overlay}") if o["kind"] == "Secret"}
    assert secrets <= {o["metadata"]["name"] for o in first}, "Secrets the Jobs read come in the first apply"


# --- network policies -----------------------------------------------------------------------------


def egress_ports(policy: dict) -> dict[int, list]:
    return {p["port"]: rule.get("to", []) for rule in policy["spec"].get("egress", []) for p in rule["ports"]}


@overlay
def test_network_policies_deny_by_default_and_allow_only_what_each_service_needs(overlay):
    kustomization = f"overlays/{overlay}"
    deny = one(kustomization, "NetworkPolicy", "default-deny")
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    dns = one(kustomization, "NetworkPolicy", "allow-dns")
    assert dns["spec"]["podSelector"] == {} and set(egress_ports(dns)) == {53}
    migrations = one(kustomization, "NetworkPolicy", "migrations")
    assert set(egress_ports(migrations)) == {5432} and not migrations["spec"].get("ingress")
    for name, port in contract_ports().items():
        policy = one(kustomization, "NetworkPolicy", name)
        assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
        [ingress] = policy["spec"]["ingress"]
        assert [p["port"] for p in ingress["ports"]] == [port]
        sources = [peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for peer in ingress["from"]]
        assert sources == ["ingress-nginx", "monitoring"]
        egress = egress_ports(policy)
        assert set(egress) == ({9092, 5432, 443} if name == "referral" else {9092, 5432}), name
        [kafka] = egress[9092]
        assert kafka == {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app.kubernetes.io/name": "kafka"}}}
        if name == "referral":
            blocks = [peer["ipBlock"] for peer in egress[443]]
            assert {b["cidr"] for b in blocks} == {"0.0.0.0/0", "::/0"}
            v4 = next(b for b in blocks if b["cidr"] == "0.0.0.0/0")
            assert {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"} <= set(v4["except"])


# --- overlays -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("overlay", "low", "high"), [("dev", 1, 2), ("production", 2, MAIN_TOPIC_PARTITIONS)])
def test_autoscalers_scale_on_cpu_within_the_overlay_bounds(overlay, low, high):
    for name in services():
        hpa = one(f"overlays/{overlay}", "HorizontalPodAutoscaler", name)
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (low, high)
        [metric] = hpa["spec"]["metrics"]
        assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
        # Consumers beyond a topic's partitions sit idle: no point scaling past them.
        assert hpa["spec"]["maxReplicas"] <= MAIN_TOPIC_PARTITIONS
        budget = one(f"overlays/{overlay}", "PodDisruptionBudget", name)
        assert budget["spec"]["maxUnavailable"] == 1


def test_production_pins_images_by_digest_and_generates_no_credentials():
    production = render("overlays/production")
    assert not [o for o in production if o["kind"] == "Secret"], "production Secrets are managed outside git"
    for name in services():
        for workload in (one("overlays/production", "Deployment", name), one("overlays/production", "Job", f"{name}-migrate")):
            image = pod_spec(workload)["containers"][0]["image"]
            assert re.fullmatch(rf"[a-z0-9.\-/]+/nwd-{name}@sha256:[0-9a-f]{{64}}", image), image
    assert "dev-only" not in yaml.safe_dump_all(production)


def test_production_directory_holds_key_hashes_only_and_loads(tmp_path):
    directory = generated("overlays/production", "ConfigMap", "nwd-organisations")
    [(filename, text)] = directory["data"].items()
    raw = yaml.safe_load(text)
    assert all("api_key" not in org for org in raw["organisations"]), "production keys are api_key_sha256 only"
    (tmp_path / filename).write_text(text, encoding="utf-8")
    assert load_directory(tmp_path / filename).organisations


def test_dev_generates_a_placeholder_secret_for_every_reference():
    secrets = {o["metadata"]["name"]: o for o in render("overlays/dev") if o["kind"] == "Secret"}
    assert set(secrets) == {f"nwd-{name}-database" for name in services()}
    for name in services():
        assert set(secrets[f"nwd-{name}-database"]["data"]) == {"url"}
        image = pod_spec(one("overlays/dev", "Deployment", name))["containers"][0]["image"]
        assert image == f"nwd-{name}:local", "the tag docker-compose.yml builds by default"


def test_base_directory_is_a_copy_of_the_demo_directory():
    copy_in_base = K8S / "base" / "organisations.yaml"
    demo = REPO / "shared" / "nwd_shared" / "demo" / "organisations.yaml"
    assert not copy_in_base.is_symlink(), "kustomize only reads files inside its root: keep a copy"
    assert yaml.safe_load(copy_in_base.read_text()) == yaml.safe_load(demo.read_text()), (
        "deploy/k8s/base/organisations.yaml has drifted from the demo directory: copy it again")


# --- compose --------------------------------------------------------------------------------------


def test_compose_file_validates_against_the_compose_specification():
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(REPO / "docker-compose.yml")],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_and_the_kubernetes_base_run_the_contract_services_on_the_contract_ports():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    in_compose = {}
    for key, service in compose.items():
        args = service.get("build", {}).get("args", {})
        if "SERVICE" not in args or key.endswith("-migrate"):
            continue
        port = int(args["PORT"])
        assert args["SERVICE"] == key
        assert service["ports"] == [f"127.0.0.1:{port}:{port}"], key  # this machine only
        assert service["environment"]["NWD_PORT"] == str(port), key
        assert compose[f"{key}-migrate"]["command"] == ["migrate"], key
        in_compose[key] = port
    in_base = {}
    for name, deployment in objects("base", "Deployment").items():
        [container] = pod_spec(deployment)["containers"]
        [port] = container["ports"]
        in_base[name] = port["containerPort"]
        assert one("base", "Service", name)["spec"]["ports"][0]["port"] == port["containerPort"]
    assert in_compose == contract_ports()
    assert in_base == contract_ports()
