"""Which RDS for PostgreSQL instance classes and engine versions AWS offers, per region.

The data is cfn-lint's, not ours: cfn-lint ships it (gathered from the AWS pricing API and the RDS
API, refreshed with every cfn-lint release) for its checks E3025 (instance class per region) and
E3691 (engine version). Reading the JSON files directly keeps the config package light: cfn-lint
itself is never imported here (`find_spec` locates the package without executing it).

A tenant's database runs in two regions (the primary and, as the read replica, the secondary), so
`validate` checks the class in both: a class missing in the secondary region makes the replica's
`cdk deploy` fail after the primary is already up (db.t4g.medium is not offered in ca-west-1).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path

ENGINE = "postgres"
_DATA = ("data", "schemas", "extensions", "aws_rds_dbinstance")


def _data_file(name: str) -> Path:
    spec = find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cfn-lint is not installed: it provides the RDS offerings data")
    return Path(next(iter(spec.submodule_search_locations)), *_DATA, name)


def instance_classes(region: str) -> frozenset[str]:
    """The PostgreSQL instance classes offered in `region` (empty for a region cfn-lint does not know)."""
    return _instance_classes_by_region().get(region, frozenset())


@cache
def _instance_classes_by_region() -> dict[str, frozenset[str]]:
    # One parse of the 3.6 MB file for every region: `validate` asks about several regions, and
    # parsing it once per region was a fifth of validating 1,000 tenants.
    data = json.loads(_data_file("dbinstanceclass_enum.json").read_text("utf-8"))
    by_region: dict[str, frozenset[str]] = {}
    for region, schema in data.items():
        classes: set[str] = set()
        for entry in schema.get("allOf", []) if isinstance(schema, dict) else []:
            condition = entry.get("if", {}).get("properties", {})
            if condition.get("Engine", {}).get("const") == ENGINE:
                classes.update(entry["then"]["properties"]["DBInstanceClass"]["enum"])
        by_region[region] = frozenset(classes)
    return by_region


@cache
def engine_versions() -> frozenset[str]:
    """Every PostgreSQL engine version RDS knows (offered or deprecated)."""
    return _versions("engine_version.json")


@cache
def deprecated_engine_versions() -> frozenset[str]:
    return _versions("engine_version_deprecated.json")


def _versions(name: str) -> frozenset[str]:
    data = json.loads(_data_file(name).read_text("utf-8"))
    versions: set[str] = set()
    for entry in data.get("allOf", []):
        condition = entry.get("if", {}).get("properties", {})
        if condition.get("Engine", {}).get("const") != ENGINE:
            continue
        # engine_version.json lists versions under `then`, the deprecated list under `if`.
        then = entry.get("then")
        if isinstance(then, dict):
            versions.update(then.get("properties", {}).get("EngineVersion", {}).get("enum", []))
        if isinstance(condition.get("EngineVersion"), dict):
            versions.update(condition["EngineVersion"].get("enum", []))
    return frozenset(versions)


_CLASS = re.compile(r"^db\.(?P<family>[a-z0-9]+)\.(?P<size>[a-z0-9]+)$")
_SIZES = ("micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge", "48xlarge")


def nearest_classes(instance_class: str, offered: frozenset[str], limit: int = 4) -> list[str]:
    """The offered classes closest to `instance_class`: the same size in other families of the
    same kind (t, m, r...), then other sizes of the same family, nearest size first."""
    match = _CLASS.fullmatch(instance_class)
    if not match:
        return sorted(offered)[:limit]
    family, size = match.group("family"), match.group("size")
    rank = _SIZES.index(size) if size in _SIZES else len(_SIZES)

    def distance(candidate: str) -> tuple[int, int, str]:
        other = _CLASS.fullmatch(candidate)
        if not other:
            return (9, 99, candidate)
        other_size = other.group("size")
        other_rank = _SIZES.index(other_size) if other_size in _SIZES else len(_SIZES)
        same_kind = other.group("family")[0] == family[0]
        return (0 if same_kind else 1, abs(other_rank - rank), candidate)

    return sorted(offered, key=distance)[:limit]


_VCPUS_OF_SIZE = {
    "micro": 2, "small": 2, "medium": 2, "large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16,
    "8xlarge": 32, "12xlarge": 48, "16xlarge": 64, "24xlarge": 96, "32xlarge": 128, "48xlarge": 192,
}
"""vCPUs that a size name stands for in the burstable (t) and standard (m, r) families, which is
what EC2's naming encodes (db.t3.micro to db.t3.large: 2; xlarge: 4; each doubling after). Used only
to rank a substitute class, never to size anything."""
_FAMILY = re.compile(r"^(?P<letter>[a-z]+?)(?P<generation>\d+)(?P<variant>[a-z-]*)$")
SUBSTITUTE_RULE = "same size, same family letter first, then the same vCPU count"


def substitute_class(instance_class: str, region: str) -> str | None:
    """The class a read replica in `region` runs when `instance_class` is not offered there: the
    nearest offered class by SUBSTITUTE_RULE (then the nearest generation, newer first, then the
    same processor variant). None when `region` offers no PostgreSQL class at all, or when
    `instance_class` is offered (no substitute needed)."""
    offered = instance_classes(region)
    if not offered or instance_class in offered:
        return None
    match = _CLASS.fullmatch(instance_class)
    if not match:
        return None
    size, family = match.group("size"), _FAMILY.fullmatch(match.group("family"))
    letter = family.group("letter") if family else match.group("family")
    generation = int(family.group("generation")) if family else 0
    variant = family.group("variant") if family else ""

    def rank(candidate: str) -> tuple[int, int, int, int, int, int, str]:
        other = _CLASS.fullmatch(candidate)
        other_family = _FAMILY.fullmatch(other.group("family")) if other else None
        if not other or not other_family:
            return (1, 1, 1, 99, 0, 1, candidate)
        other_generation = int(other_family.group("generation"))
        return (
            other.group("size") != size,
            other_family.group("letter") != letter,
            _VCPUS_OF_SIZE.get(other.group("size")) != _VCPUS_OF_SIZE.get(size),
            abs(other_generation - generation),
            -other_generation,
            other_family.group("variant") != variant,
            candidate,
        )

    return min(offered, key=rank)


def offering_problem(instance_class: str, region: str) -> str | None:
    """Why `instance_class` cannot run PostgreSQL in `region`, or None when it can."""
    offered = instance_classes(region)
    if not offered:
        return f"cfn-lint has no RDS offerings for {region}; cannot check {instance_class} there"
    if instance_class in offered:
        return None
    nearest = ", ".join(nearest_classes(instance_class, offered))
    return f"{instance_class} is not offered for PostgreSQL in {region}; nearest offered there: {nearest}"


def engine_version_problem(version: str) -> str | None:
    if version in deprecated_engine_versions():
        return f"PostgreSQL {version} is deprecated on RDS; choose a supported minor version"
    if version not in engine_versions():
        major = version.split(".")[0]
        same_major = sorted(
            (v for v in engine_versions() - deprecated_engine_versions() if v.split(".")[0] == major),
            key=lambda v: tuple(int(p) for p in v.split(".") if p.isdigit()),
        )
        hint = f"; offered {major}.x: {', '.join(same_major[-4:])}" if same_major else ""
        return f"PostgreSQL {version} is not an RDS engine version{hint}"
    return None
