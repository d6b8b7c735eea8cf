"""cfn-lint made faster without changing what it finds.

cfn-lint costs two to three times the CPU of synthesizing a tenant, so `tenantkit synth --all` on
100 tenants (bench/synth_many.py) is bound by it. Four changes, each of which changes only how
cfn-lint finds its work, never what it checks:

- `ValidatorClasses`: cfn-lint's `create` builds a new validator class per call; build each
  distinct one once.
- `FieldsOfClass`: cfn-lint asks `dataclasses.fields` for the same few classes on every evolve;
  answer from a cache.
- `keyword_indexed_e1101` and `engine_indexed_e3062`: faster equivalents of two rules that keep
  the stock rule's state and check.

Measured: cfn-lint of one tenant's three templates (12 generated tenants, one process, stock and
changed alternately): 0.85 CPU-seconds as shipped; 0.70 with E3062; 0.64 with E1101 as well;
0.60 with the fields cache; the validator classes take another 0.15 (timed around `create`).

tests/compliance/test_cfn_lint.py and tests/stacks/test_synth_service.py lint good and broken
templates with tenantkit's cfn-lint and with cfn-lint exactly as shipped (`stock_only()`) and
require the same findings. Every change checks that cfn-lint's code has the shape it was written
for and refuses to load otherwise, rather than silently check less.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

# Where cfn-lint looks up `create` and `fields` at call time (module globals).
_VALIDATORS = "cfnlint.jsonschema.validators"
_FIELDS_USERS = (_VALIDATORS, "cfnlint.context.context", "cfnlint.jsonschema._filter")

CHECK_FINGERPRINTS = True
"""False only to compare a new cfn-lint with the speed-ups forced on (bench/upgrade_check.py)."""


class SpeedupRefused(RuntimeError):
    """cfn-lint's code or data does not have the shape a speed-up was written for."""


@dataclass(frozen=True)
class Speedup:
    """One change to how cfn-lint finds its work, and the upstream code it re-implements or
    relies on (`module:qualname`), with the fingerprint of that code it was checked against."""

    name: str
    upstream: tuple[str, ...]
    fingerprint: str
    apply: Callable[[Any], None]


@cache
def fingerprint(upstream: tuple[str, ...]) -> str:
    """sha256 (first 16 hex digits) of the source of each upstream object, in order. Cached: the
    first answer, taken before any speed-up replaces an upstream object, is the upstream one."""
    digest = hashlib.sha256()
    for dotted in upstream:
        module_name, _, qualname = dotted.partition(":")
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
        digest.update(dotted.encode() + b"\0" + inspect.getsource(found).encode() + b"\0")
    return digest.hexdigest()[:16]


def install(rules: Any, *, checked: bool | None = None) -> tuple[Any, list[str]]:
    """Make this process's cfn-lint faster, and return `rules` (a cfn-lint rule set, with E3062
    swapped for its equivalent: same key, same place in the run order) and one warning line per
    speed-up left out, because its upstream code changed (fingerprint) or has another shape.
    A speed-up left out leaves cfn-lint's own code in place: the findings stay the same."""
    checked = CHECK_FINGERPRINTS if checked is None else checked
    refused = []
    found = {}
    for speedup in SPEEDUPS:  # every fingerprint before any speed-up replaces upstream code
        try:
            found[speedup.name] = fingerprint(speedup.upstream)
        except (ImportError, AttributeError, OSError, TypeError) as error:
            found[speedup.name] = f"unreadable: {type(error).__name__}"
    for speedup in SPEEDUPS:
        actual = found[speedup.name]
        try:
            if checked and actual != speedup.fingerprint:
                raise SpeedupRefused(
                    f"cfn-lint's {', '.join(speedup.upstream)} changed (fingerprint {actual}, "
                    f"checked with {speedup.fingerprint})"
                )
            speedup.apply(rules)
        except SpeedupRefused as error:
            refused.append(
                f"cfn-lint speed-up {speedup.name} left out, linting with cfn-lint's own code: "
                f"{error}"
            )
    return rules, refused


@contextmanager
def stock_only() -> Iterator[None]:
    """cfn-lint's own `create` and `fields` for the duration (to compare against them)."""
    with ValidatorClasses.stock_only(), FieldsOfClass.stock_only():
        yield


def _modules(*names: str) -> list[Any]:
    return [importlib.import_module(name) for name in names]


class ValidatorClasses:
    """cfn-lint makes a new validator class (a dataclass) every time a rule extends a validator:
    231 classes per tenant, 0.15 of the tenant's 0.79 CPU-seconds of cfn-lint. A class depends
    only on what `create` is given: the keyword validators, the function filter's settings and
    the function resolvers. This cache builds each distinct class once and hands it out again.

    Validators are rule methods, bound anew on every access, so they are keyed by the identity of
    their object and function; each cache entry keeps the arguments it was made from alive, so
    those identities cannot pass to other objects."""

    stock: ClassVar[Callable[..., Any] | None] = None
    settings: ClassVar[tuple[str, ...]] = ()
    classes: ClassVar[dict[Any, tuple[Any, ...]]] = {}

    @classmethod
    def install(cls) -> None:
        (module,) = _modules(_VALIDATORS)
        if cls.stock is None:
            from cfnlint.jsonschema._filter import FunctionFilter

            settings = tuple(f.name for f in dataclasses.fields(FunctionFilter) if f.init)
            if settings != ("add_cfn_lint_keyword", "validate_dynamic_references"):
                raise SpeedupRefused(
                    f"cfn-lint's FunctionFilter has settings tenantkit does not key: {settings}"
                )
            cls.stock, cls.settings = module.create, settings
        module.create = cls.create

    @classmethod
    @contextmanager
    def stock_only(cls) -> Iterator[None]:
        (module,) = _modules(_VALIDATORS)
        current = module.create
        module.create = cls.stock or current
        try:
            yield
        finally:
            module.create = current

    @classmethod
    def create(
        cls,
        validators: Mapping[str, Any] | None = None,
        function_filter: Any = None,
        fn_resolvers: Mapping[str, Any] | None = None,
    ) -> Any:
        key = (
            _identities(validators),
            None
            if function_filter is None
            else (
                type(function_filter),
                *(getattr(function_filter, name) for name in cls.settings),
            ),
            _identities(fn_resolvers),
        )
        entry = cls.classes.get(key)
        if entry is None:
            assert cls.stock is not None
            made = cls.stock(
                validators=validators, function_filter=function_filter, fn_resolvers=fn_resolvers
            )
            entry = cls.classes[key] = (made, validators, function_filter, fn_resolvers)
        return entry[0]


def _identities(functions: Mapping[str, Any] | None) -> tuple[Any, ...]:
    if not functions:
        return ()
    return tuple(
        (name, id(getattr(function, "__self__", None)), id(getattr(function, "__func__", function)))
        for name, function in functions.items()
    )


class FieldsOfClass:
    """`dataclasses.fields` of a class, computed once per class. cfn-lint's `evolve` methods call
    `fields(Context)`, `fields(Validator)` and `fields(FunctionFilter)` about 55,000 times per
    tenant; a class's fields are fixed when the class is made."""

    @staticmethod
    @cache
    def _of_class(dataclass_type: type) -> tuple[dataclasses.Field, ...]:
        return dataclasses.fields(dataclass_type)

    @classmethod
    def fields(cls, class_or_instance: Any) -> tuple[dataclasses.Field, ...]:
        return cls._of_class(
            class_or_instance if isinstance(class_or_instance, type) else type(class_or_instance)
        )

    @classmethod
    def install(cls) -> None:
        modules = _modules(*_FIELDS_USERS)
        for module in modules:  # all checked before any is changed
            if getattr(module, "fields", None) not in (dataclasses.fields, cls.fields):
                raise SpeedupRefused(f"{module.__name__}.fields is not dataclasses.fields")
        for module in modules:
            module.fields = cls.fields

    @classmethod
    @contextmanager
    def stock_only(cls) -> Iterator[None]:
        modules = _modules(*_FIELDS_USERS)
        current = [module.fields for module in modules]
        for module in modules:
            module.fields = dataclasses.fields
        try:
            yield
        finally:
            for module, fields in zip(modules, current, strict=True):
                module.fields = fields


def _stock_class(stock: Any, name: str) -> type:
    # cfn-lint loads its rules from files, so the classes are not importable by module path.
    if type(stock).__name__ != name:
        raise SpeedupRefused(f"cfn-lint's {stock.id} is {type(stock).__name__}, not {name}")
    return type(stock)


def engine_indexed_e3062(stock: Any) -> Any:
    """cfn-lint's E3062 (DB instance class valid for Engine and EngineVersion), same findings,
    a fourteenth of the work for PostgreSQL.

    The stock rule checks every RDS instance against one schema: an `allOf` of ~980
    `{"if": {Engine const, EngineVersion pattern, DBInstanceClass}, "then": {DBInstanceClass
    enum}}` entries, one per engine and version, of which 70 are PostgreSQL's. Every `if` requires
    `Engine` and compares it with `const`, so for an instance whose `Engine` is a plain string,
    the only entries whose `if` can hold are those whose `const` equals it (cfn-lint's `const`
    compares strings by `==`; `"true"`/`"false"` compare as booleans, so those keep the full
    schema); without an `Engine`, none can. This rule validates against exactly those entries.
    Any other `Engine` (an intrinsic function) gets the full schema, as in the stock rule.
    """
    _check_indexable(stock._schema)

    class EngineIndexed(_stock_class(stock, "DbInstanceDbInstanceClassWithEngine")):  # type: ignore[misc]
        def __init__(self) -> None:
            # Not super().__init__(): that parses the 5 MB schema again; take the stock rule's.
            self.__dict__.update(stock.__dict__)
            self._use_schema_arg = True  # the schema comes from `schema_for` on each call
            entries: dict[str, list[Any]] = {}
            for entry in self._schema["allOf"]:
                entries.setdefault(entry["if"]["properties"]["Engine"]["const"], []).append(entry)
            self._by_engine = {
                engine: {**self._schema, "allOf": items} for engine, items in entries.items()
            }
            self._no_entries = {**self._schema, "allOf": []}

        def schema_for(self, instance: Any) -> dict[str, Any]:
            if not isinstance(instance, dict):
                return self._schema
            if "Engine" not in instance:
                return self._no_entries
            engine = instance["Engine"]
            if not isinstance(engine, str) or engine.lower() in ("true", "false"):
                return self._schema
            return self._by_engine.get(engine.lower(), self._no_entries)

        def validate(self, validator: Any, keywords: Any, instance: Any, schema: Any) -> Any:
            yield from super().validate(validator, keywords, instance, self.schema_for(instance))

    return EngineIndexed()


def _check_indexable(schema: dict[str, Any]) -> None:
    """The shape `engine_indexed_e3062` relies on."""
    for entry in schema["allOf"]:
        condition = entry["if"]
        if "Engine" not in condition.get("required", ()) or not isinstance(
            condition["properties"]["Engine"].get("const"), str
        ):
            raise SpeedupRefused(
                f"cfn-lint E3062 schema has an entry tenantkit cannot index: {condition}"
            )


def _swap_e3062(rules: Any) -> None:
    rules.data["E3062"] = engine_indexed_e3062(rules.data["E3062"])


SPEEDUPS = (
    Speedup(
        "validator-classes",
        (f"{_VALIDATORS}:create", "cfnlint.jsonschema._filter:FunctionFilter"),
        fingerprint="ff983121561629fe",
        apply=lambda _rules: ValidatorClasses.install(),
    ),
    Speedup(
        "fields-of-class",
        (
            f"{_VALIDATORS}:create",
            "cfnlint.jsonschema._filter:FunctionFilter",
            "cfnlint.context.context:Path",
            "cfnlint.context.context:Context",
        ),
        fingerprint="fdda14a8bf586f53",
        apply=lambda _rules: FieldsOfClass.install(),
    ),
    Speedup(
        "E3062-engine-index",
        (
            "cfnlint.rules.resources.rds.DbInstanceDbInstanceClassWithEngine:"
            "DbInstanceDbInstanceClassWithEngine",
            "cfnlint.rules.jsonschema.CfnLintJsonSchema:CfnLintJsonSchema",
        ),
        fingerprint="a4cb481e01c116bb",
        apply=_swap_e3062,
    ),
)


def main() -> None:
    """Print each speed-up's checked and current upstream fingerprint (for an upgrade)."""
    for speedup in SPEEDUPS:
        current = fingerprint(speedup.upstream)
        state = "same" if current == speedup.fingerprint else "CHANGED"
        print(f"{speedup.name}: checked {speedup.fingerprint}, current {current} ({state})")


if __name__ == "__main__":
    main()
