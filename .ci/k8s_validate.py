#!/usr/bin/env python3
"""Validates Kubernetes manifests against the schemas .ci/check-kubernetes.sh downloaded and prepared.

   .ci/k8s_validate.py SCHEMA_DIR FILE...          exit 1 naming file, resource and JSON path of each problem
   .ci/k8s_validate.py SCHEMA_DIR --self-test DIR  broken copies of DIR's manifests must each fail as expected

Schemas (SCHEMA_DIR, see .ci/check-kubernetes.sh for where each comes from):
  strimzi/*.yaml          Strimzi's CustomResourceDefinitions (KafkaTopic, KafkaUser; kafka.strimzi.io/v1)
  flink/*.yml             the Flink Kubernetes Operator's FlinkDeployment CRD
  fabric8/*.json          Kubernetes core/apps and prometheus-operator (monitoring.coreos.com/v1) JSON schemas

Rules, as the API server applies them with kubectl's default strict field validation:
  * a CRD's structural schema is closed: a field it does not list is an error, unless the schema says
    x-kubernetes-preserve-unknown-fields or gives additionalProperties;
  * the fabric8 schemas list fields and types but no required fields and leave every object open: objects with
    listed properties are closed here, and the required fields of the Kubernetes and prometheus-operator APIs
    for the types these manifests use are added (REQUIRED below, from those projects' API references);
  * an apiVersion/kind pair with no schema is an error (e.g. kafka.strimzi.io/v1beta2, which Strimzi 1.x dropped).
"""
import copy
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

# Required fields the fabric8 schemas do not carry (definition name -> fields).
REQUIRED = {
    "kubernetes_apps_DeploymentSpec": ["selector", "template"],
    "kubernetes_core_PodSpec": ["containers"],
    "kubernetes_core_Container": ["name"],
    "kubernetes_core_ContainerPort": ["containerPort"],
    "kubernetes_core_EnvVar": ["name"],
    "kubernetes_core_SecretKeySelector": ["key"],
    "kubernetes_core_ConfigMapKeySelector": ["key"],
    "kubernetes_core_ObjectFieldSelector": ["fieldPath"],
    "kubernetes_core_ResourceFieldSelector": ["resource"],
    "kubernetes_core_Volume": ["name"],
    "kubernetes_core_VolumeMount": ["name", "mountPath"],
    "kubernetes_core_KeyToPath": ["key", "path"],
    "kubernetes_core_HTTPGetAction": ["port"],
    "kubernetes_core_TCPSocketAction": ["port"],
    "kubernetes_apimachinery_LabelSelectorRequirement": ["key", "operator"],
    "os_monitoring_v1_PodMonitor": ["spec"],
    "os_monitoring_v1_PodMonitorSpec": ["selector"],
    "os_monitoring_v1_PrometheusRule": ["spec"],
    "os_monitoring_v1_RuleGroup": ["name"],
    "os_monitoring_v1_Rule": ["expr"],
}

# The fabric8 schema definitions for the built-in and prometheus-operator kinds.
FABRIC8_KINDS = {
    ("v1", "ConfigMap"): "kubernetes_core_ConfigMap",
    ("v1", "Secret"): "kubernetes_core_Secret",
    ("v1", "Service"): "kubernetes_core_Service",
    ("v1", "ServiceAccount"): "kubernetes_core_ServiceAccount",
    ("apps/v1", "Deployment"): "kubernetes_apps_Deployment",
    ("apps/v1", "StatefulSet"): "kubernetes_apps_StatefulSet",
    ("monitoring.coreos.com/v1", "PodMonitor"): "os_monitoring_v1_PodMonitor",
    ("monitoring.coreos.com/v1", "PrometheusRule"): "os_monitoring_v1_PrometheusRule",
}
OBJECT_META = "kubernetes_apimachinery_ObjectMeta"


# --- fabric8 JSON schemas -> strict draft-7 definitions ------------------------------------------------------------

def strict_fabric8(node, name=None):
    if isinstance(node, list):
        return [strict_fabric8(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    required = list(REQUIRED.get(name, []))
    for key, value in node.items():
        if key.startswith("java") or key in ("existingJavaType", "interfaceImpls", "id", "$module"):
            continue
        if key == "properties":
            props = {}
            for prop, schema in value.items():
                if isinstance(schema, dict) and schema.get("required") is True:  # draft-3 style in fabric8
                    required.append(prop)
                props[prop] = strict_fabric8({k: v for k, v in schema.items() if k != "required"})
            out["properties"] = props
        else:
            out[key] = strict_fabric8(value)
    if "properties" in out:
        out["additionalProperties"] = False
    if required:
        out["required"] = sorted(set(required))
    return out


def fabric8_definitions(schema_dir):
    definitions = {}
    for path in sorted(glob.glob(os.path.join(schema_dir, "fabric8", "*.json"))):
        for name, schema in json.load(open(path))["definitions"].items():
            definitions.setdefault(name, schema)
    out = {name: strict_fabric8(schema, name) for name, schema in definitions.items()}
    # Quantities ("512Mi", 0.5) and int-or-string values (ports, percentages) are scalars on the wire; fabric8 models
    # them as Java objects.
    for name in out:
        if name.endswith("_Quantity"):
            out[name] = {"type": ["string", "number"]}
        elif name.endswith("_IntOrString"):
            out[name] = {"type": ["string", "integer"]}
    return out


# --- CRD openAPIV3Schema -> draft-7 ---------------------------------------------------------------------------------

def structural(node):
    if isinstance(node, list):
        return [structural(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: structural(v) for k, v in node.items()
           if k not in ("description", "x-kubernetes-validations", "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
                        "x-kubernetes-map-type", "nullable", "x-kubernetes-preserve-unknown-fields",
                        "x-kubernetes-int-or-string", "x-kubernetes-embedded-resource", "format")}
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("type") == "object" and "additionalProperties" not in node \
            and not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def crd_schemas(paths, overlays=None):
    schemas = {}
    for path in paths:
        crd = yaml.safe_load(open(path))
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if not version.get("served", True):
                continue
            raw = copy.deepcopy(version["schema"]["openAPIV3Schema"])
            for overlay in (overlays or {}).get(kind, []):
                overlay(raw)
            schema = structural(raw)
            schema["properties"]["metadata"] = {"$ref": "#/definitions/" + OBJECT_META}
            schema["properties"]["apiVersion"] = {"const": f"{group}/{version['name']}"}
            schema["properties"]["kind"] = {"const": kind}
            schema.setdefault("required", [])
            schema["required"] = sorted(set(schema["required"]) | {"apiVersion", "kind", "metadata"})
            schemas[(f"{group}/{version['name']}", kind)] = (schema, os.path.basename(path))
    return schemas


def flink_overlays(schema_dir):
    """The FlinkDeployment CRD Maven Central serves is an older operator's: its flinkVersion and flinkConfiguration are
    replaced by the definitions of the operator release named in flink/overlay.json (see check-kubernetes.sh)."""
    overlay = json.load(open(os.path.join(schema_dir, "flink", "overlay.json")))

    def apply(schema):
        spec = schema["properties"]["spec"]["properties"]
        for field, definition in overlay["spec"].items():
            spec[field] = definition
    return {"FlinkDeployment": [apply]}


def load_schemas(schema_dir):
    definitions = fabric8_definitions(schema_dir)
    schemas = {}
    for key, definition in FABRIC8_KINDS.items():
        root = copy.deepcopy(definitions[definition])
        root["properties"]["apiVersion"] = {"const": key[0]}
        root["properties"]["kind"] = {"const": key[1]}
        root["required"] = sorted(set(root.get("required", [])) | {"apiVersion", "kind", "metadata"})
        schemas[key] = (root, "fabric8 " + definition)
    schemas.update(crd_schemas(sorted(glob.glob(os.path.join(schema_dir, "strimzi", "*.yaml")))))
    schemas.update(crd_schemas(sorted(glob.glob(os.path.join(schema_dir, "flink", "*.yml"))), flink_overlays(schema_dir)))
    return schemas, definitions


# --- validation ---------------------------------------------------------------------------------------------------

def json_path(path):
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." + part if re.fullmatch(r"[A-Za-z_][\w-]*", part) else f"['{part}']")
    return out


def describe(error):
    if error.context:
        deepest = best_match(error.context)
        if deepest is not None and len(deepest.absolute_path) >= len(error.absolute_path):
            error = deepest
    path = json_path(error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return [f"{path}.{name}: unknown field (the schema does not allow it)" if path else name for name in extra]
    if error.validator == "required":
        missing = re.match(r"'([^']+)' is a required property", error.message)
        return [f"{path}.{missing.group(1) if missing else '?'}: missing required field"]
    if error.validator == "type":
        return [f"{path}: wrong type: {error.message}"]
    return [f"{path}: {error.message}"]


def validate_file(path, schemas, definitions):
    problems = []
    try:
        docs = list(yaml.safe_load_all(open(path)))
    except yaml.YAMLError as e:
        return [f"{path}: not valid YAML: {e}"]
    for index, doc in enumerate(docs):
        if doc is None:
            continue
        where = f"{path}: document {index + 1}"
        if not isinstance(doc, dict):
            problems.append(f"{where}: not a mapping")
            continue
        api, kind = doc.get("apiVersion"), doc.get("kind")
        name = (doc.get("metadata") or {}).get("name", "?") if isinstance(doc.get("metadata"), dict) else "?"
        where = f"{path}: {kind}/{name}"
        if (api, kind) not in schemas:
            known = sorted(a for a, k in schemas if k == kind)
            problems.append(f"{where}: $.apiVersion: no schema for {api} {kind}"
                            + (f" (served: {', '.join(known)})" if known else " (unknown kind)"))
            continue
        schema, _ = schemas[(api, kind)]
        validator = Draft7Validator(dict(schema, definitions=definitions))
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
        for error in errors:
            for text in describe(error):
                problems.append(f"{where}: {text}")
        if api and api.startswith("kafka.strimzi.io/") and not (doc.get("metadata", {}).get("labels") or {}).get("strimzi.io/cluster"):
            problems.append(f"{where}: $.metadata.labels['strimzi.io/cluster']: missing (Strimzi's operators ignore the resource)")
    return problems


def run(schema_dir, files):
    schemas, definitions = load_schemas(schema_dir)
    problems, resources = [], 0
    for path in files:
        found = validate_file(path, schemas, definitions)
        problems += found
        resources += sum(1 for d in yaml.safe_load_all(open(path)) if d) if not any(": not valid YAML" in p for p in found) else 0
    for p in problems:
        print("k8s check: " + p, file=sys.stderr)
    return problems, resources


# --- self-test: the validator must fail on broken copies -----------------------------------------------------------

def _docs(path):
    return [d for d in yaml.safe_load_all(open(path)) if d]


def _first(docs, kind):
    return next(d for d in docs if d["kind"] == kind)


CASES = [
    # (name, file, mutation, text the failure must contain)
    ("Strimzi v1beta2 (removed in Strimzi 1.0)", "topics.yaml",
     lambda ds: ds[0].__setitem__("apiVersion", "kafka.strimzi.io/v1beta2"), "$.apiVersion: no schema for kafka.strimzi.io/v1beta2 KafkaTopic"),
    ("KafkaUser ACL with the old singular 'operation'", "kafka-users.yaml",
     lambda ds: ds[0]["spec"]["authorization"]["acls"][0].update(operation="Read"),
     "$.spec.authorization.acls[0].operation: unknown field"),
    ("KafkaUser ACL without operations", "kafka-users.yaml",
     lambda ds: ds[1]["spec"]["authorization"]["acls"][0].pop("operations"),
     "$.spec.authorization.acls[0].operations: missing required field"),
    ("KafkaTopic partitions as a string", "topics.yaml",
     lambda ds: ds[1]["spec"].update(partitions="6"), "$.spec.partitions: wrong type"),
    ("KafkaTopic without the strimzi.io/cluster label", "topics.yaml",
     lambda ds: ds[2]["metadata"].pop("labels"), "strimzi.io/cluster']: missing"),
    ("FlinkDeployment with a flinkVersion no operator knows", "flink-deployment.yaml",
     lambda ds: ds[0]["spec"].update(flinkVersion="v2_9"), "$.spec.flinkVersion: 'v2_9' is not one of"),
    ("FlinkDeployment parallelism as a string", "flink-deployment.yaml",
     lambda ds: ds[0]["spec"]["job"].update(parallelism="four"), "$.spec.job.parallelism: wrong type"),
    ("FlinkDeployment with a misspelled field", "flink-deployment.yaml",
     lambda ds: ds[0]["spec"]["job"].update(upgradeModes="savepoint"), "$.spec.job.upgradeModes: unknown field"),
    ("FlinkDeployment pod template: container port as text", "flink-deployment.yaml",
     lambda ds: ds[0]["spec"]["podTemplate"]["spec"]["containers"][0]["ports"][0].update(containerPort="metrics"),
     "containerPort: wrong type"),
    ("Deployment container without a name", "alert-forwarder.yaml",
     lambda ds: ds[0]["spec"]["template"]["spec"]["containers"][0].pop("name"),
     "$.spec.template.spec.containers[0].name: missing required field"),
    ("Deployment with an unknown container field", "alert-forwarder.yaml",
     lambda ds: ds[0]["spec"]["template"]["spec"]["containers"][0].update(readinessProbes={}),
     "$.spec.template.spec.containers[0].readinessProbes: unknown field"),
    ("Deployment replicas as a string", "alert-forwarder.yaml",
     lambda ds: ds[0]["spec"].update(replicas="2"), "$.spec.replicas: wrong type"),
    ("PrometheusRule rule without expr", "prometheusrule.yaml",
     lambda ds: ds[0]["spec"]["groups"][0]["rules"][0].pop("expr"),
     "$.spec.groups[0].rules[0].expr: missing required field"),
    ("PodMonitor endpoint with a misspelled field", "podmonitor.yaml",
     lambda ds: ds[0]["spec"]["podMetricsEndpoints"][0].update(portName="metrics"),
     "$.spec.podMetricsEndpoints[0].portName: unknown field"),
    ("ConfigMap data value that is not a string", "grafana-dashboard.yaml",
     lambda ds: ds[0]["data"].update({"extra.json": 1}), "$.data['extra.json']: wrong type"),
]


def self_test(schema_dir, manifest_dir):
    schemas, definitions = load_schemas(schema_dir)
    failures = 0
    tmp = tempfile.mkdtemp(prefix="k8s-selftest-")
    try:
        for name, file, mutate, expected in CASES:
            docs = _docs(os.path.join(manifest_dir, file))
            mutate(docs)
            broken = os.path.join(tmp, file)
            with open(broken, "w") as f:
                yaml.safe_dump_all(docs, f, sort_keys=False)
            problems = validate_file(broken, schemas, definitions)
            hit = [p for p in problems if expected in p]
            if hit:
                print(f"k8s self-test: {name}: rejected as expected: {hit[0].replace(tmp + '/', '(broken copy) ')}")
            else:
                failures += 1
                print(f"k8s self-test: {name}: NOT rejected as expected (wanted '{expected}'; got {problems or 'no problem'})",
                      file=sys.stderr)
    finally:
        shutil.rmtree(tmp)
    return failures


def main(argv):
    if len(argv) >= 4 and argv[2] == "--self-test":
        failures = self_test(argv[1], argv[3])
        print(f"k8s self-test: {len(CASES) - failures} passed, {failures} failed")
        return 1 if failures else 0
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    problems, resources = run(argv[1], argv[2:])
    if problems:
        print(f"k8s check: FAILED: {len(problems)} problem(s) in {len(argv) - 2} file(s)", file=sys.stderr)
        return 1
    print(f"k8s check: {resources} resources in {len(argv) - 2} files valid against their schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
